package dev.toolgate.proxy.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Assembles the client-facing pipeline, top to bottom. */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 8 * 1024;
    private static final int MAX_HEADER_SIZE = 16 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final RequestDispatcher dispatcher;
    private final long maxRequestBytes;
    private final Duration idleTimeout;

    ServerInitializer(RequestDispatcher dispatcher, long maxRequestBytes, Duration idleTimeout) {
        this.dispatcher = dispatcher;
        this.maxRequestBytes = maxRequestBytes;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        addHttpCodec(pipeline);
        addIdleTimeout(pipeline);
        addAggregation(pipeline);
        addDispatch(pipeline);
    }

    private void addHttpCodec(ChannelPipeline pipeline) {
        pipeline.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE));
    }

    private void addIdleTimeout(ChannelPipeline pipeline) {
        pipeline.addLast("idle", new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    }

    private void addAggregation(ChannelPipeline pipeline) {
        pipeline.addLast("aggregate", new RequestAggregator(maxRequestBytes));
    }

    private void addDispatch(ChannelPipeline pipeline) {
        pipeline.addLast("dispatch", dispatcher);
    }
}
