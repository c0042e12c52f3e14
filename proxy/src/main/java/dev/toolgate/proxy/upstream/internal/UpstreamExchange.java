package dev.toolgate.proxy.upstream.internal;

import dev.toolgate.proxy.upstream.UpstreamCall;
import dev.toolgate.proxy.upstream.UpstreamException;
import dev.toolgate.proxy.upstream.UpstreamException.Kind;
import dev.toolgate.proxy.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One request/response with the upstream, over one pooled connection or, when a reused keep-alive
 * connection turns out closed before it answered, over a second, fresh one. Each connection
 * attempt gets its own pipeline handler ({@link Attempt}), so a retry never re-adds a handler.
 *
 * <p>The deadline belongs to the exchange, not to a connection: its timer starts with the
 * exchange, before a connection is acquired, and anything that goes wrong while acquiring or
 * attaching fails the exchange. Whatever the upstream or the pool do, the listener hears exactly
 * one ending within {@code timeout} of the last byte received. Everything runs on the event loop
 * the exchange was created for, which is also the loop of every connection of its pool.
 */
public final class UpstreamExchange implements UpstreamCall {
    public static final String HANDLER_NAME = "exchange";

    private final ChannelPool pool;
    private final EventLoop loop;
    private final UpstreamListener listener;
    private final long timeoutNanos;
    /** Held until the response head arrives, so a stale keep-alive connection can be retried once. */
    private FullHttpRequest request;
    /** The connection attempt in flight; callbacks of an earlier attempt are ignored. */
    private Attempt attempt;
    private ScheduledFuture<?> timeoutTask;
    private long lastActivityNanos;
    private boolean headReceived;
    private boolean keepAlive;
    private boolean retried;
    private boolean finished;
    private boolean reading = true;

    /** {@code loop} must be the loop of {@code pool}'s connections. */
    public UpstreamExchange(ChannelPool pool, EventLoop loop, FullHttpRequest request, UpstreamListener listener, Duration timeout) {
        this.pool = pool;
        this.loop = loop;
        this.request = request;
        this.listener = listener;
        this.timeoutNanos = timeout.toNanos();
    }

    /** Starts the deadline, then acquires a connection and sends the request. */
    public void start() {
        if (!loop.inEventLoop()) {
            loop.execute(this::start);
            return;
        }
        lastActivityNanos = System.nanoTime();
        timeoutTask = loop.schedule(this::checkTimeout, timeoutNanos, TimeUnit.NANOSECONDS);
        connect();
    }

    private void connect() {
        Attempt next = new Attempt();
        attempt = next;
        try {
            pool.acquire().addListener((Future<Channel> acquired) -> next.acquired(acquired));
        } catch (RuntimeException refused) {
            fail(Kind.UNAVAILABLE, "cannot connect to upstream: " + describe(refused), refused);
        }
    }

    @Override
    public void setReading(boolean reading) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> setReading(reading));
            return;
        }
        this.reading = reading;
        if (!finished && attempt != null && attempt.channel != null) {
            attempt.channel.config().setAutoRead(reading);
        }
    }

    @Override
    public void cancel() {
        if (!loop.inEventLoop()) {
            loop.execute(this::cancel);
            return;
        }
        if (finished) {
            return;
        }
        finished = true;
        stopTimer();
        releaseRequest();
        if (attempt != null) {
            attempt.detach(false);
        }
    }

    private void checkTimeout() {
        if (finished) {
            return;
        }
        if (!reading) {
            // Paused on purpose (a slow client, a pending decision): silence is ours, not the upstream's.
            lastActivityNanos = System.nanoTime();
        }
        long idle = System.nanoTime() - lastActivityNanos;
        if (idle >= timeoutNanos) {
            fail(Kind.TIMEOUT, "upstream sent nothing for " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + "s", null);
        } else {
            timeoutTask = loop.schedule(this::checkTimeout, timeoutNanos - idle, TimeUnit.NANOSECONDS);
        }
    }

    /** The connection of {@code failed} is gone before the exchange ended: retry once, or fail. */
    private void connectionLost(Attempt failed, Throwable cause) {
        if (finished) {
            return;
        }
        if (!headReceived && !retried && failed.reused()) {
            // A keep-alive connection the server closed while it sat in the pool: nothing was
            // processed, so the request is sent once more on a fresh connection.
            retried = true;
            failed.detach(false);
            connect();
            return;
        }
        Kind kind = headReceived ? Kind.RESET : classify(cause);
        String message = headReceived
                ? "upstream closed the connection before the response completed"
                : kind == Kind.UNAVAILABLE ? "cannot reach upstream: " + describe(cause)
                : "upstream closed the connection without responding";
        fail(kind, message, cause);
    }

    private void fail(Kind kind, String message, Throwable cause) {
        if (finished) {
            return;
        }
        finished = true;
        stopTimer();
        releaseRequest();
        if (attempt != null) {
            attempt.detach(false);
        }
        listener.onError(new UpstreamException(kind, message, cause));
    }

    private void stopTimer() {
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
        }
    }

    private void releaseRequest() {
        if (request != null) {
            request.release();
            request = null;
        }
    }

    /**
     * One connection attempt: acquires a pooled connection, sits in its pipeline while the
     * exchange uses it, and gives it back. A new instance per attempt, as Netty requires of a
     * handler that is not {@code @Sharable}.
     */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        private Channel channel;
        private boolean released;

        private boolean current() {
            return attempt == this && !finished;
        }

        boolean reused() {
            return channel != null && Boolean.TRUE.equals(channel.attr(PooledConnectionHandler.REUSED).get());
        }

        void acquired(Future<Channel> acquired) {
            if (!acquired.isSuccess()) {
                if (current()) {
                    fail(Kind.UNAVAILABLE, "cannot connect to upstream: " + describe(acquired.cause()), acquired.cause());
                }
                return;
            }
            channel = acquired.getNow();
            if (!current()) {
                detach(true);
                return;
            }
            try {
                channel.pipeline().addLast(HANDLER_NAME, this);
                channel.config().setAutoRead(reading);
                channel.writeAndFlush(request.retainedDuplicate()).addListener(written -> {
                    if (!written.isSuccess() && current()) {
                        connectionLost(this, written.cause());
                    }
                });
            } catch (RuntimeException attachFailed) {
                fail(Kind.UNAVAILABLE, "cannot use the upstream connection: " + describe(attachFailed), attachFailed);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!current()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            lastActivityNanos = System.nanoTime();
            // Each message class meets as few interface checks as possible, the same ones every time, and the
            // decoder result is read through them: on JDK 17 a check against another interface than the last
            // one rewrites the class's type-check cache, and event loops on other cores then contend for that
            // cache line (JDK-8180450, fixed in JDK 23).
            if (msg instanceof HttpResponse head) {
                if (failed(head.decoderResult())) {
                    rejectInvalid(msg, head.decoderResult());
                    return;
                }
                if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                headReceived = true;
                keepAlive = HttpUtil.isKeepAlive(head);
                releaseRequest();
                listener.onResponseHead(head);
            }
            HttpContent content;
            boolean last;
            if (msg instanceof LastHttpContent lastContent) {
                content = lastContent;
                last = true;
            } else if (msg instanceof HttpContent chunk) {
                content = chunk;
                last = false;
            } else {
                return;
            }
            if (failed(content.decoderResult())) {
                rejectInvalid(msg, content.decoderResult());
                return;
            }
            if (last) {
                finished = true;
                stopTimer();
                detach(keepAlive);
            }
            listener.onContent(content.content(), last);
        }

        private void rejectInvalid(Object msg, DecoderResult result) {
            ReferenceCountUtil.release(msg);
            if (result.cause() instanceof PrematureChannelClosureException) {
                // The connection ended inside the head: the upstream began answering, so no retry.
                fail(Kind.RESET, "upstream closed the connection before the response completed", result.cause());
            } else {
                fail(Kind.PROTOCOL, "upstream sent an invalid HTTP response: " + describe(result.cause()), result.cause());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (current()) {
                connectionLost(this, new ClosedChannelException());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (current()) {
                connectionLost(this, cause);
            }
        }

        /** Takes this attempt off its connection and gives the connection back (closed unless reusable); once. */
        void detach(boolean reusable) {
            if (channel == null || released) {
                return;
            }
            released = true;
            if (channel.pipeline().get(HANDLER_NAME) == this) {
                channel.pipeline().remove(this);
            }
            if (!reusable) {
                channel.close();
            }
            pool.release(channel);
        }
    }

    private static boolean failed(DecoderResult result) {
        return result != null && result.isFailure();
    }

    private static Kind classify(Throwable cause) {
        if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException
                || cause instanceof UnknownHostException || cause instanceof SSLException) {
            return Kind.UNAVAILABLE;
        }
        return Kind.RESET;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown cause";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
