package dev.toolgate.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Passes the dispatcher one request at a time per connection, so that responses leave in the
 * order the requests came (HTTP/1.1 pipelining). A request that arrives while another is being
 * answered waits here, and reading pauses until none waits; once the response is written
 * ({@link #RESPONSE_WRITTEN}, fired by {@link Exchange}) the next one goes on. What can wait is
 * bounded by one read plus one request being aggregated.
 *
 * <p>Reading is paused only when a request has to wait, not for every request: clients send one
 * request at a time, and pausing and resuming around each would cost two {@code epoll_ctl} calls
 * per request.
 *
 * <p>It also closes a connection idle between requests: only this handler knows whether a request
 * is being answered, which may take longer than the idle timeout. One instance per connection.
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
            ctx.channel().config().setAutoRead(false);
            return;
        }
        answering = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (!answering) {
                ctx.close();
            }
            return;
        }
        if (event != RESPONSE_WRITTEN) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        Object next = waiting.poll();
        if (next == null) {
            answering = false;
            return;
        }
        if (waiting.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelRead(next);
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
