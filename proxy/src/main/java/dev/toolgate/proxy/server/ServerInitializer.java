package dev.toolgate.proxy.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;

/** Assembles the client-facing pipeline, top to bottom. */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 8 * 1024;
    private static final int MAX_HEADER_SIZE = 16 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;
    private static final StalledClients STALLED_CLIENTS = new StalledClients();

    private final RequestDispatcher dispatcher;
    private final long maxRequestBytes;
    private final Predicate<String> jsonRpcPath;
    private final Duration idleTimeout;
    private final Duration requestTimeout;

    ServerInitializer(RequestDispatcher dispatcher, long maxRequestBytes, Predicate<String> jsonRpcPath, Duration idleTimeout,
                      Duration requestTimeout) {
        this.dispatcher = dispatcher;
        this.maxRequestBytes = maxRequestBytes;
        this.jsonRpcPath = jsonRpcPath;
        this.idleTimeout = idleTimeout;
        this.requestTimeout = requestTimeout;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        RequestReadTimeout requestTimeoutHandler = new RequestReadTimeout(requestTimeout);
        pipeline.addLast("request-timeout", requestTimeoutHandler);
        addHttpCodec(pipeline);
        pipeline.addLast("request-received", requestTimeoutHandler.completion());
        addIdleTimeout(pipeline);
        addAggregation(pipeline);
        addDispatch(pipeline);
    }

    /**
     * Request smuggling is refused, not repaired: Content-Length together with Transfer-Encoding,
     * or several Content-Length headers, is a 400 and the connection closes (set here rather than
     * left to Netty's JVM-wide defaults).
     */
    private void addHttpCodec(ChannelPipeline pipeline) {
        HttpDecoderConfig decoding = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
        pipeline.addLast("http", new HttpServerCodec(decoding));
    }

    /** Idle in either direction: nothing arrives between requests, or the client reads nothing of a response. */
    private void addIdleTimeout(ChannelPipeline pipeline) {
        long millis = idleTimeout.toMillis();
        pipeline.addLast("idle", new IdleStateHandler(true, millis, millis, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("stalled-clients", STALLED_CLIENTS);
    }

    private void addAggregation(ChannelPipeline pipeline) {
        pipeline.addLast("aggregate", new RequestAggregator(maxRequestBytes, jsonRpcPath));
    }

    private void addDispatch(ChannelPipeline pipeline) {
        pipeline.addLast("in-order", new InOrderRequests());
        pipeline.addLast("dispatch", dispatcher);
    }
}
