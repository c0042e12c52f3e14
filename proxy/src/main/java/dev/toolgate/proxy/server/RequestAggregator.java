package dev.toolgate.proxy.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.Predicate;

/**
 * Aggregates request bodies up to the configured limit; a larger body gets our JSON 413, not
 * Netty's bare one: the usual error body, or a JSON-RPC "invalid request" error on the paths whose
 * clients speak JSON-RPC (MCP), as those clients read only that shape.
 */
final class RequestAggregator extends HttpObjectAggregator {
    private static final int JSON_RPC_INVALID_REQUEST = -32600;

    private final long maxBytes;
    private final Predicate<String> jsonRpcPath;

    RequestAggregator(long maxBytes, Predicate<String> jsonRpcPath) {
        super((int) Math.min(Integer.MAX_VALUE, maxBytes), true);
        this.maxBytes = maxBytes;
        this.jsonRpcPath = jsonRpcPath;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String problem = "request body exceeds the limit of " + maxBytes + " bytes";
        ObjectNode body;
        if (oversized instanceof HttpRequest request && jsonRpcPath.test(new QueryStringDecoder(request.uri()).path())) {
            body = Json.object().put("jsonrpc", "2.0").putNull("id");
            body.putObject("error").put("code", JSON_RPC_INVALID_REQUEST).put("message", "Invalid Request: " + problem);
        } else {
            body = ErrorBodies.of("PAYLOAD_TOO_LARGE", problem);
        }
        FullHttpResponse response = Exchange.jsonResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Json.bytes(body));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        // The rest of the body is still on the wire: close rather than try to skip it, and say so,
        // or the client may send its next request on a connection that is going away.
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
