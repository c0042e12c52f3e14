package dev.toolgate.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose client has stopped reading its response: otherwise the unsent output
 * stays in memory, and a stream paused for it holds its upstream connection, for as long as the
 * client likes. Acts on the writer-idle events of an {@code IdleStateHandler} that observes output:
 * a repeated event (not the first after the last completed write) means no byte left for a whole
 * idle timeout. With nothing waiting to be sent, writer idleness is only a slow upstream, which
 * has its own timeout.
 */
@Sharable
final class StalledClients extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(StalledClients.class);

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof IdleStateEvent idle) || idle.state() != IdleState.WRITER_IDLE) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        if (!idle.isFirst() && unsentBytes(ctx.channel()) > 0) {
            log.info("closing connection to {}: it has read nothing of its response for an idle timeout"
                    + " ({} bytes unsent)", ctx.channel().remoteAddress(), unsentBytes(ctx.channel()));
            ctx.close();
        }
    }

    private static long unsentBytes(Channel channel) {
        ChannelOutboundBuffer output = channel.unsafe().outboundBuffer();
        return output == null ? 0 : output.totalPendingWriteBytes();
    }
}
