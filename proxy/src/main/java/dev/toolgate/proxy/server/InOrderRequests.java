package dev.toolgate.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Passes the dispatcher one request at a time per connection, so that responses leave in the
 * order the requests came (HTTP/1.1 pipelining). Pausing reads while a request is answered is not
 * enough on its own: one read can hold several requests, and the decoder passes all of them on at
 * once, so a quick second request was answered before a slow first one. A request that arrives
 * while another is being answered waits here; once the response is written
 * ({@link #RESPONSE_WRITTEN}, fired by {@link Exchange}) the next one goes on, and reading resumes
 * only when none waits. What can wait is bounded by one read. One instance per connection.
 */
final class InOrderRequests extends ChannelInboundHandlerAdapter {
    /** User event: the response to the request being answered is written, and the connection stays open. */
    static final Object RESPONSE_WRITTEN = new Object() {
        @Override
        public String toString() {
            return "RESPONSE_WRITTEN";
        }
    };

    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean answering;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answering) {
            waiting.add(msg);
            return;
        }
        answering = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event != RESPONSE_WRITTEN) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        Object next = waiting.poll();
        if (next != null) {
            ctx.fireChannelRead(next);
        } else {
            answering = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        for (Object request; (request = waiting.poll()) != null; ) {
            ReferenceCountUtil.release(request);
        }
    }
}
