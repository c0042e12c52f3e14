package dev.toolgate.proxy.upstream.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/** Builds the pipeline of a new upstream connection and evicts connections left idle in the pool. */
public final class PooledConnectionHandler extends AbstractChannelPoolHandler {
    /** Set once a connection has carried a full exchange: a failure on it may be a stale keep-alive. */
    static final AttributeKey<Boolean> REUSED = AttributeKey.valueOf("toolgate.upstream.reused");

    /** Shorter than common server keep-alive timeouts (nginx 75 s, Jetty 30 s), so we close first. */
    private static final long IDLE_EVICTION_SECONDS = 25;

    private final SslContext sslContext;
    private final UpstreamEndpoint endpoint;

    public PooledConnectionHandler(SslContext sslContext, UpstreamEndpoint endpoint) {
        this.sslContext = sslContext;
        this.endpoint = endpoint;
    }

    @Override
    public void channelCreated(Channel channel) {
        if (sslContext != null) {
            channel.pipeline().addLast("tls", sslContext.newHandler(channel.alloc(), endpoint.host(), endpoint.port()));
        }
        channel.pipeline()
                .addLast("http", new HttpClientCodec(4096, 16 * 1024, 64 * 1024))
                .addLast("idle", new IdleStateHandler(0, 0, IDLE_EVICTION_SECONDS, TimeUnit.SECONDS))
                .addLast("evict-idle", new IdleEviction());
    }

    @Override
    public void channelReleased(Channel channel) {
        channel.attr(REUSED).set(Boolean.TRUE);
        channel.config().setAutoRead(true);
    }

    /** Closes a connection that sat unused in the pool; one in use is guarded by its exchange's own timeout. */
    private static final class IdleEviction extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent && ctx.pipeline().get(UpstreamExchange.HANDLER_NAME) == null) {
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, event);
        }
    }
}
