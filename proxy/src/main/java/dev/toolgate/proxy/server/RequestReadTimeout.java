package dev.toolgate.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long one request may take to arrive: a request whose head and body are not complete
 * within the timeout of its first byte is answered 408 and its connection closed, however
 * steadily its bytes trickle in (the idle timeout restarts on every byte; this clock does not).
 * The handler sits in front of the HTTP codec to see the first byte; {@link #completion()} sits
 * behind it and stops the clock once the request is complete. One instance per connection.
 */
final class RequestReadTimeout extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestReadTimeout.class);

    private final Duration timeout;
    private ScheduledFuture<?> deadline;
    private boolean expired;

    RequestReadTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (expired) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (deadline == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            // Reading is off while a request is served, so bytes arriving now start the next request.
            deadline = ctx.executor().schedule(() -> expire(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    /** The handler behind the codec: a complete request (or one the codec rejected) stops the clock. */
    ChannelInboundHandler completion() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LastHttpContent || msg instanceof HttpObject http && http.decoderResult().isFailure()) {
                    stop();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void stop() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        deadline = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        expired = true;
        log.info("closing connection from {}: its request did not arrive whole within {} ms (server.request_timeout)",
                ctx.channel().remoteAddress(), timeout.toMillis());
        FullHttpResponse response = Exchange.jsonResponse(HttpResponseStatus.REQUEST_TIMEOUT, Json.bytes(ErrorBodies.of(
                "REQUEST_TIMEOUT", "the request was not received completely within " + timeout.toMillis() + " ms")));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // From the tail of the pipeline, so that the response passes through the HTTP encoder behind this handler.
        ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
