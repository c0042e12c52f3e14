package dev.toolgate.proxy.telemetry;

import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics}: the gateway's metrics in Prometheus's text exposition format. */
public final class MetricsEndpoint implements Endpoint {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final GatewayMetrics metrics;

    public MetricsEndpoint(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void serve(Exchange exchange) {
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        exchange.respond(response);
    }
}
