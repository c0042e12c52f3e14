package dev.toolgate.proxy.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Aggregates request bodies up to the configured limit; a larger body gets our JSON 413, not Netty's bare one. */
final class RequestAggregator extends HttpObjectAggregator {
    private final long maxBytes;

    RequestAggregator(long maxBytes) {
        super((int) Math.min(Integer.MAX_VALUE, maxBytes), true);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse response = Exchange.jsonResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Json.bytes(
                ErrorBodies.of("PAYLOAD_TOO_LARGE", "request body exceeds the limit of " + maxBytes + " bytes")));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        // The rest of the body is still on the wire: close rather than try to skip it, and say so,
        // or the client may send its next request on a connection that is going away.
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
