package dev.toolgate.proxy.upstream;

import dev.toolgate.config.FailoverConfig;
import dev.toolgate.proxy.server.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every endpoint of a provider with fallbacks, at its section's interval, for its health
 * path ({@code GET}, with the endpoint's own key): an answer other than 429 or 5xx is healthy, no
 * answer, a 429 or a 5xx is not. Asynchronous on one event loop, with a client per provider so
 * that a check's short timeout is not the model requests' long one. A provider without fallbacks is not
 * checked: it has nowhere to send a request its check would turn away.
 */
public final class HealthChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);
    /** Anthropic refuses a request without it; any published version will do for listing models. */
    private static final String ANTHROPIC_VERSION = "2023-06-01";

    private final Transport transport;
    private final Duration connectTimeout;
    private final EventLoop loop;
    private final List<UpstreamClient> clients = new ArrayList<>();
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();

    public HealthChecks(Transport transport, Duration connectTimeout, EventLoop loop) {
        this.transport = transport;
        this.connectTimeout = connectTimeout;
        this.loop = loop;
    }

    /** Starts checking {@code upstream}'s endpoints, first after one interval. */
    public void watch(FailoverUpstream upstream) {
        FailoverConfig.HealthCheck check = upstream.healthCheck();
        if (!check.enabled() || upstream.endpoints().size() < 2) {
            return;
        }
        UpstreamClient client = new UpstreamClient(transport, connectTimeout, check.timeout());
        clients.add(client);
        long interval = check.interval().toMillis();
        schedules.add(loop.scheduleWithFixedDelay(() -> upstream.endpoints().forEach(endpoint -> check(client, endpoint, check.path())),
                interval, interval, TimeUnit.MILLISECONDS));
    }

    private void check(UpstreamClient client, FailoverEndpoint endpoint, String path) {
        ProviderRoute route = endpoint.route();
        URI base = route.baseUrl();
        String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        // The endpoint's own key, set as on a forwarded request; there is no client credential to forward.
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER,
                ForwardedHeaders.toUpstream(new DefaultHttpHeaders(), route), EmptyHttpHeaders.INSTANCE);
        if (route.auth() == ProviderRoute.Auth.X_API_KEY) {
            request.headers().set("anthropic-version", ANTHROPIC_VERSION);
        }
        try {
            client.send(loop, URI.create(base.getScheme() + "://" + base.getRawAuthority() + basePath + path), request,
                    new CheckListener(endpoint));
        } catch (RuntimeException unusable) {
            endpoint.health().checked(false, unusable.getMessage());
        }
    }

    /** Records the check's result at the answer's head and drops the body. */
    private static final class CheckListener implements UpstreamListener {
        private final FailoverEndpoint endpoint;

        CheckListener(FailoverEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void onResponseHead(HttpResponse head) {
            int status = head.status().code();
            boolean ok = status != 429 && status < 500;
            if (!ok) {
                log.warn("upstream {} failed its health check (HTTP {}); it is skipped until a check passes", endpoint.url(), status);
            }
            endpoint.health().checked(ok, "HTTP " + status);
        }

        @Override
        public void onContent(ByteBuf content, boolean last) {
            content.release();
        }

        @Override
        public void onError(UpstreamException error) {
            log.warn("upstream {} failed its health check: {}", endpoint.url(), error.getMessage());
            endpoint.health().checked(false, error.getMessage());
        }
    }

    @Override
    public void close() {
        schedules.forEach(schedule -> schedule.cancel(false));
        clients.forEach(UpstreamClient::close);
    }
}
