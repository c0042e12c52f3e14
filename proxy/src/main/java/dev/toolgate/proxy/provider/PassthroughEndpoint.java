package dev.toolgate.proxy.provider;

import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.upstream.ForwardedHeaders;
import dev.toolgate.proxy.upstream.ProviderRoute;
import dev.toolgate.proxy.upstream.RelayListener;
import dev.toolgate.proxy.upstream.TimedUpstream;
import dev.toolgate.proxy.upstream.UpstreamCall;
import dev.toolgate.proxy.upstream.UpstreamClient;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Every other {@code /v1/*} request (models, embeddings, files...): forwarded and streamed back
 * untouched, so an OpenAI SDK works with only its base URL changed.
 */
public final class PassthroughEndpoint implements Endpoint {
    private final UpstreamClient upstream;
    private final ProviderRoute route;

    public PassthroughEndpoint(UpstreamClient upstream, ProviderRoute route) {
        this.upstream = upstream;
        this.route = route;
    }

    @Override
    public void serve(Exchange exchange) {
        FullHttpRequest forwarded = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, exchange.request().method(), "/",
                exchange.request().content().retainedDuplicate(),
                ForwardedHeaders.toUpstream(exchange.request().headers(), route),
                EmptyHttpHeaders.INSTANCE);
        RelayListener listener = new RelayListener(exchange);
        UpstreamCall call = upstream.send(exchange.eventLoop(),
                route.target(exchange.query()), forwarded, new TimedUpstream(exchange.record(), listener));
        listener.attach(call);
        exchange.onClientGone(call::cancel);
    }
}
