package dev.toolgate.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;

/** The listening socket: binds, serves through the {@link Router}, and closes gracefully. */
public final class ToolgateServer implements AutoCloseable {
    private final EventLoopGroup acceptor;
    private final Channel serverChannel;
    private final RequestsInFlight inFlight;

    private ToolgateServer(EventLoopGroup acceptor, Channel serverChannel, RequestsInFlight inFlight) {
        this.acceptor = acceptor;
        this.serverChannel = serverChannel;
        this.inFlight = inFlight;
    }

    /**
     * Binds {@code host:port} (0 picks a free port) and starts serving on {@code workers}, each request
     * passing {@code steps} on its way to its route's endpoint;
     * {@code requestTimeout} bounds how long one request may take to arrive (408 past it), and
     * {@code inFlight} counts the requests being served.
     */
    public static ToolgateServer start(Transport transport, EventLoopGroup workers, Router router, List<RequestStep> steps,
                                       String host, int port, long maxRequestBytes, Predicate<String> jsonRpcPath,
                                       Duration idleTimeout, Duration requestTimeout, RequestsInFlight inFlight,
                                       RequestObserver observer)
            throws InterruptedException {
        EventLoopGroup acceptor = transport.newGroup(1, "toolgate-accept");
        RequestDispatcher dispatcher = new RequestDispatcher(router, steps, inFlight, observer);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ServerInitializer(dispatcher, maxRequestBytes, jsonRpcPath, idleTimeout, requestTimeout));
        try {
            Channel channel = bootstrap.bind(host, port).sync().channel();
            return new ToolgateServer(acceptor, channel, inFlight);
        } catch (InterruptedException | RuntimeException e) {
            acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * Stops accepting connections, answers every request still arriving on open ones with its
     * connection closed after it, and waits up to {@code grace} for the requests in flight (streams
     * included) to finish. Returns how many had not finished.
     */
    public int drain(Duration grace) throws InterruptedException {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        return inFlight.drain(grace);
    }

    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
