package dev.toolgate.proxy.provider;

import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.upstream.ForwardedHeaders;
import dev.toolgate.proxy.upstream.FailoverUpstream;
import dev.toolgate.proxy.upstream.RelayListener;
import dev.toolgate.proxy.upstream.TimedUpstream;
import dev.toolgate.proxy.upstream.UpstreamCall;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Every other {@code /v1/*} request (models, embeddings, files...): forwarded and streamed back
 * untouched, so an OpenAI SDK works with only its base URL changed; it fails over as model requests do.
 */
public final class PassthroughEndpoint implements Endpoint {
    private final FailoverUpstream upstream;

    public PassthroughEndpoint(FailoverUpstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public void serve(Exchange exchange) {
        RelayListener listener = new RelayListener(exchange);
        UpstreamCall call = upstream.send(exchange.eventLoop(), exchange.query(),
                route -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, exchange.request().method(), "/",
                        exchange.heldRequestBody().retainedDuplicate(),
                        ForwardedHeaders.toUpstream(exchange.request().headers(), route),
                        EmptyHttpHeaders.INSTANCE),
                new TimedUpstream(exchange.record(), listener));
        listener.attach(call);
        exchange.onClientGone(call::cancel);
    }
}
