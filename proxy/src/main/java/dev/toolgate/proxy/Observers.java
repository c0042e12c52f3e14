package dev.toolgate.proxy;

import dev.toolgate.config.Config;
import dev.toolgate.config.MetricsConfig;
import dev.toolgate.proxy.agents.AgentBreaker;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.notify.Notifier;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.RequestObserver;
import dev.toolgate.proxy.server.RequestsInFlight;
import dev.toolgate.proxy.server.Route.Access;
import dev.toolgate.proxy.server.Router;
import dev.toolgate.proxy.server.ToolgateServer;
import dev.toolgate.proxy.server.Transport;
import dev.toolgate.proxy.telemetry.AccessLog;
import dev.toolgate.proxy.telemetry.GatewayMetrics;
import dev.toolgate.proxy.telemetry.MetricsEndpoint;
import dev.toolgate.proxy.telemetry.Tracing;
import dev.toolgate.proxy.upstream.FailoverUpstream;
import dev.toolgate.storage.Storage;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What watches the gateway, as the config asks for it: metrics (and their own listener), the
 * access log and traces; each is told of requests and of committed decisions. Closed with the
 * gateway, tracing last so that the spans of the final requests are exported.
 */
final class Observers implements AutoCloseable {
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final Tracing tracing;
    private ToolgateServer metricsServer;

    private Observers(GatewayMetrics metrics, AccessLog accessLog, Tracing tracing) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.tracing = tracing;
    }

    static Observers from(Config config, Storage storage, Notifier notifier, Set<String> workspaces) {
        GatewayMetrics metrics = config.metrics().enabled()
                ? new GatewayMetrics(storage.auditLog(), storage.approvals(), notifier, workspaces) : null;
        AccessLog accessLog = config.logging().access() ? new AccessLog(config.logging().format(), System.out) : null;
        Tracing tracing = config.telemetry().tracing() ? new Tracing(config.telemetry()) : null;
        return new Observers(metrics, accessLog, tracing);
    }

    /** Shows in the metrics how many agents stand in each breaker state. */
    void watch(AgentBreaker breaker) {
        if (metrics != null) {
            metrics.watchBreakers(breaker::count);
        }
    }

    /** Shows each endpoint's health and counts failovers in the metrics. */
    void watch(FailoverUpstream upstream) {
        if (metrics != null) {
            metrics.watchUpstreams(upstream.endpoints());
            upstream.observe(metrics);
        }
    }

    /** Tracing first: the request's span is started before the steps run, so its tool calls are its children. */
    RequestObserver requests() {
        List<RequestObserver> observers = new ArrayList<>();
        if (tracing != null) {
            observers.add(tracing);
        }
        if (metrics != null) {
            observers.add(metrics);
        }
        if (accessLog != null) {
            observers.add(accessLog);
        }
        return RequestObserver.all(observers);
    }

    List<DecisionObserver> decisions() {
        List<DecisionObserver> observers = new ArrayList<>();
        if (metrics != null) {
            observers.add(metrics);
        }
        if (tracing != null) {
            observers.add(tracing);
        }
        return observers;
    }

    /** {@code GET /metrics} on the gateway's port (admin key), or null when metrics are off. */
    Endpoint metricsEndpoint() {
        return metrics == null ? null : new MetricsEndpoint(metrics);
    }

    /** With {@code metrics.listen}, a second listener that serves {@code /metrics} alone, with no key. */
    void startMetricsListener(Transport transport, EventLoopGroup workers, MetricsConfig config, long maxRequestBytes)
            throws InterruptedException {
        if (metrics == null || !config.hasOwnListener()) {
            return;
        }
        Router router = new Router().add(HttpMethod.GET, "/metrics", Access.PUBLIC, new MetricsEndpoint(metrics));
        metricsServer = ToolgateServer.start(transport, workers, router, List.of(), config.listenHost(), config.listenPort(),
                maxRequestBytes, path -> false, Duration.ofSeconds(60), Duration.ofSeconds(10), new RequestsInFlight(),
                RequestObserver.NONE);
    }

    /** Where the metrics are, for the start-up line. */
    String describeMetrics(Config config, String gatewayUrl) {
        if (metrics == null) {
            return "off";
        }
        String onGateway = gatewayUrl + "/metrics (admin key)";
        return metricsServer == null ? onGateway
                : onGateway + " and http://" + config.metrics().listenHost() + ":" + metricsServer.port() + "/metrics (no key)";
    }

    /** The port of the separate metrics listener; -1 without one. */
    int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    @Override
    public void close() {
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (tracing != null) {
            tracing.close();
        }
    }
}
