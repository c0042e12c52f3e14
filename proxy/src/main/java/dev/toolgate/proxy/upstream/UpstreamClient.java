package dev.toolgate.proxy.upstream;

import dev.toolgate.proxy.server.Transport;
import dev.toolgate.proxy.upstream.internal.PooledConnectionHandler;
import dev.toolgate.proxy.upstream.internal.UpstreamEndpoint;
import dev.toolgate.proxy.upstream.internal.UpstreamExchange;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Sends requests to the upstream provider over pooled keep-alive connections. There is one pool
 * per event loop and endpoint, so an upstream connection always lives on the same loop as the
 * client connection it serves: no cross-thread hand-off, no locks on the hot path.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final int MAX_CONNECTIONS_PER_LOOP = 512;
    private static final int MAX_PENDING_ACQUIRES = 4096;

    private final Transport transport;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final SslContext sslContext;
    private final Map<PoolKey, FixedChannelPool> pools = new ConcurrentHashMap<>();

    private record PoolKey(EventLoop loop, UpstreamEndpoint endpoint) {
    }

    /**
     * @param readTimeout longest silence from the upstream before the exchange fails with TIMEOUT
     */
    public UpstreamClient(Transport transport, Duration connectTimeout, Duration readTimeout) {
        this(transport, connectTimeout, readTimeout, defaultTls());
    }

    /** With the JVM's trust store and hostname verification unless {@code sslContext} says otherwise. */
    public UpstreamClient(Transport transport, Duration connectTimeout, Duration readTimeout, SslContext sslContext) {
        this.transport = transport;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.sslContext = sslContext;
    }

    private static SslContext defaultTls() {
        try {
            return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot initialise TLS for upstream connections", e);
        }
    }

    /**
     * Sends {@code request} (ownership passes to the client: it is released on every path) to
     * {@code target} and reports the response to {@code listener} on {@code loop}.
     */
    public UpstreamCall send(EventLoop loop, URI target, FullHttpRequest request, UpstreamListener listener) {
        FixedChannelPool pool;
        try {
            UpstreamEndpoint endpoint = UpstreamEndpoint.of(target);
            String rawPath = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            request.setUri(target.getRawQuery() == null ? rawPath : rawPath + "?" + target.getRawQuery());
            request.headers().set(HttpHeaderNames.HOST, endpoint.hostHeader());
            request.headers().set(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
            pool = pools.computeIfAbsent(new PoolKey(loop, endpoint), this::newPool);
        } catch (RuntimeException unusableTarget) {
            request.release();
            throw unusableTarget;
        }
        UpstreamExchange exchange = new UpstreamExchange(pool, loop, request, listener, readTimeout);
        exchange.start();
        return exchange;
    }

    private FixedChannelPool newPool(PoolKey key) {
        Bootstrap bootstrap = new Bootstrap()
                .group(key.loop())
                .channel(transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .remoteAddress(key.endpoint().host(), key.endpoint().port());
        SslContext tls = key.endpoint().tls() ? sslContext : null;
        return new FixedChannelPool(bootstrap, new PooledConnectionHandler(tls, key.endpoint()),
                ChannelHealthChecker.ACTIVE, FixedChannelPool.AcquireTimeoutAction.FAIL,
                connectTimeout.toMillis(), MAX_CONNECTIONS_PER_LOOP, MAX_PENDING_ACQUIRES, true, true);
    }

    @Override
    public void close() {
        // Wait a little for pooled connections to close, before the event loops they live on stop.
        pools.values().stream().map(FixedChannelPool::closeAsync).toList()
                .forEach(closed -> closed.awaitUninterruptibly(2, TimeUnit.SECONDS));
        pools.clear();
    }
}
