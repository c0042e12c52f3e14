package dev.toolgate.proxy.upstream;

import dev.toolgate.config.FailoverConfig;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A provider's endpoints, the primary first and then its fallbacks, and the order a request tries
 * them in: healthy ones in config order, then those over a threshold (degraded), then, only when
 * nothing else is left, those whose health check failed, since a request tried on a doubtful
 * endpoint beats one refused untried. With one endpoint it is a plain upstream that keeps figures.
 */
public final class FailoverUpstream {
    private final UpstreamClient client;
    private final List<FailoverEndpoint> endpoints;
    private final FailoverConfig.HealthCheck healthCheck;
    private volatile FailoverObserver observer = FailoverObserver.NONE;

    public FailoverUpstream(UpstreamClient client, List<FailoverEndpoint> endpoints, FailoverConfig.HealthCheck healthCheck) {
        this.client = client;
        this.endpoints = List.copyOf(endpoints);
        this.healthCheck = healthCheck;
    }

    /**
     * The primary {@code route} and the section's fallbacks; {@code routeOf} makes a fallback's
     * route (base URL and key) the way the section's own is made.
     */
    public static FailoverUpstream of(String provider, UpstreamClient client, ProviderRoute primary, FailoverConfig failover,
                                      BiFunction<java.net.URI, String, ProviderRoute> routeOf, Clock clock) {
        List<FailoverEndpoint> endpoints = new ArrayList<>();
        endpoints.add(new FailoverEndpoint(provider, true, primary, "", new EndpointHealth(failover.conditions(), clock)));
        for (FailoverConfig.Fallback fallback : failover.fallbacks()) {
            endpoints.add(new FailoverEndpoint(provider, false, routeOf.apply(fallback.baseUrl(), fallback.apiKey()), fallback.model(),
                    new EndpointHealth(failover.conditions(), clock)));
        }
        return new FailoverUpstream(client, endpoints, failover.healthCheck());
    }

    public void observe(FailoverObserver observer) {
        this.observer = observer;
    }

    /** Primary first, in config order. */
    public List<FailoverEndpoint> endpoints() {
        return endpoints;
    }

    public FailoverConfig.HealthCheck healthCheck() {
        return healthCheck;
    }

    /** The route of the primary: what decides how clients authenticate on this provider's routes. */
    public ProviderRoute primaryRoute() {
        return endpoints.get(0).route();
    }

    /**
     * Sends the request {@code request} builds to the endpoints in turn (see {@link FailoverAttempts})
     * and reports the answer that is passed on to {@code listener} on {@code loop}.
     */
    public UpstreamCall send(EventLoop loop, QueryStringDecoder clientUri, UpstreamRequest request, UpstreamListener listener) {
        FailoverAttempts attempts = new FailoverAttempts(client, loop, clientUri, request, listener, order(), observer);
        attempts.start();
        return attempts;
    }

    List<FailoverEndpoint> order() {
        if (endpoints.size() == 1) {
            return endpoints;
        }
        List<FailoverEndpoint> healthy = new ArrayList<>(endpoints.size());
        List<FailoverEndpoint> degraded = new ArrayList<>(0);
        List<FailoverEndpoint> unhealthy = new ArrayList<>(0);
        for (FailoverEndpoint endpoint : endpoints) {
            switch (endpoint.health().state()) {
                case HEALTHY -> healthy.add(endpoint);
                case DEGRADED -> degraded.add(endpoint);
                default -> unhealthy.add(endpoint);
            }
        }
        healthy.addAll(degraded);
        return healthy.isEmpty() ? unhealthy : healthy;
    }
}
