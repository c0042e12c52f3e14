package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.upstream.EndpointHealth;
import dev.toolgate.proxy.upstream.FailoverEndpoint;
import dev.toolgate.proxy.upstream.FailoverUpstream;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/upstreams}: every provider endpoint in the order of the config, with what this
 * instance saw of it in the window. Shows URLs without credentials and never a key.
 */
public final class UpstreamsEndpoint implements Endpoint {
    private final List<FailoverUpstream> upstreams;

    public UpstreamsEndpoint(List<FailoverUpstream> upstreams) {
        this.upstreams = List.copyOf(upstreams);
    }

    @Override
    public void serve(Exchange exchange) {
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("upstreams");
        for (FailoverUpstream upstream : upstreams) {
            for (FailoverEndpoint endpoint : upstream.endpoints()) {
                list.add(view(endpoint));
            }
        }
        exchange.respondJson(HttpResponseStatus.OK, body);
    }

    private static ObjectNode view(FailoverEndpoint endpoint) {
        EndpointHealth.Snapshot health = endpoint.health().snapshot();
        ObjectNode view = Json.object()
                .put("provider", endpoint.provider())
                .put("url", endpoint.url())
                .put("role", endpoint.primary() ? "primary" : "fallback");
        if (!endpoint.model().isEmpty()) {
            view.put("model", endpoint.model());
        }
        view.put("healthy", health.state() == EndpointHealth.State.HEALTHY)
                .put("status", health.state().wireName())
                .put("requests", health.requests())
                .put("error_rate", Math.round(health.errorRate() * 10_000) / 10_000.0);
        ObjectNode latency = view.putObject("latency_ms");
        putLatency(latency, "mean", health.meanLatencyMs());
        putLatency(latency, "p50", health.p50LatencyMs());
        putLatency(latency, "p99", health.p99LatencyMs());
        if (health.lastError() == null) {
            view.putNull("last_error");
        } else {
            view.putObject("last_error").put("message", health.lastError()).put("at", text(health.lastErrorAt()));
        }
        if (health.lastCheckAt() == null) {
            view.putNull("last_check");
        } else {
            view.putObject("last_check").put("at", text(health.lastCheckAt())).put("ok", health.lastCheckOk())
                    .put("result", health.lastCheckResult());
        }
        return view;
    }

    private static void putLatency(ObjectNode latency, String name, double millis) {
        if (millis < 0) {
            latency.putNull(name);
        } else {
            latency.put(name, millis);
        }
    }

    private static String text(Instant at) {
        return at.toString();
    }
}
