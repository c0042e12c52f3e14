package dev.toolgate.proxy.upstream.internal;

import dev.toolgate.proxy.upstream.UpstreamCall;
import dev.toolgate.proxy.upstream.UpstreamException;
import dev.toolgate.proxy.upstream.UpstreamException.Kind;
import dev.toolgate.proxy.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
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
 * One request/response on a pooled upstream connection. Lives in the connection's pipeline for
 * the duration of the exchange; every callback runs on that connection's event loop.
 */
public final class UpstreamExchange extends ChannelInboundHandlerAdapter implements UpstreamCall {
    public static final String HANDLER_NAME = "exchange";

    private final FixedChannelPool pool;
    private final UpstreamListener listener;
    private final long timeoutNanos;
    /** Held until the response head arrives, so a stale keep-alive connection can be retried once. */
    private FullHttpRequest request;
    private Channel channel;
    private ScheduledFuture<?> timeoutTask;
    private long lastActivityNanos;
    private boolean headReceived;
    private boolean keepAlive;
    private boolean retried;
    private boolean finished;
    private boolean reading = true;

    public UpstreamExchange(FixedChannelPool pool, FullHttpRequest request, UpstreamListener listener, Duration timeout) {
        this.pool = pool;
        this.request = request;
        this.listener = listener;
        this.timeoutNanos = timeout.toNanos();
    }

    public void start() {
        pool.acquire().addListener((Future<Channel> acquired) -> {
            if (!acquired.isSuccess()) {
                fail(Kind.UNAVAILABLE, "cannot connect to upstream: " + describe(acquired.cause()), acquired.cause());
            } else if (finished) {
                pool.release(acquired.getNow());
            } else {
                attach(acquired.getNow());
            }
        });
    }

    private void attach(Channel acquired) {
        channel = acquired;
        channel.pipeline().addLast(HANDLER_NAME, this);
        channel.config().setAutoRead(reading);
        lastActivityNanos = System.nanoTime();
        timeoutTask = channel.eventLoop().schedule(this::checkTimeout, timeoutNanos, TimeUnit.NANOSECONDS);
        channel.writeAndFlush(request.retainedDuplicate()).addListener(written -> {
            if (!written.isSuccess()) {
                connectionLost(written.cause());
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastActivityNanos = System.nanoTime();
        // Each message class meets as few interface checks as possible, the same ones every time, and the
        // decoder result is read through them: on JDK 17 a check against another interface than the last
        // one rewrites the class's type-check cache, and event loops on other cores then contend for that
        // cache line (JDK-8180450, fixed in JDK 23). Checking DecoderResultProvider first on every message
        // took 7% of the event loops' samples on the text path.
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
            complete();
        }
        listener.onContent(content.content(), last);
    }

    private void rejectInvalid(Object msg, DecoderResult result) {
        ReferenceCountUtil.release(msg);
        fail(Kind.PROTOCOL, "upstream sent an invalid HTTP response: " + describe(result.cause()), result.cause());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connectionLost(new ClosedChannelException());
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connectionLost(cause);
    }

    @Override
    public void setReading(boolean reading) {
        this.reading = reading;
        if (channel != null && !finished) {
            channel.config().setAutoRead(reading);
        }
    }

    @Override
    public void cancel() {
        if (channel != null && !channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(this::cancel);
            return;
        }
        if (finished) {
            return;
        }
        finished = true;
        releaseRequest();
        detach(false);
    }

    private void connectionLost(Throwable cause) {
        if (finished) {
            return;
        }
        if (!headReceived && !retried && Boolean.TRUE.equals(channel.attr(PooledConnectionHandler.REUSED).get())) {
            // A keep-alive connection the server closed while it sat in the pool: nothing was
            // processed, so the request is sent once more on a fresh connection.
            retried = true;
            detach(false);
            channel = null;
            start();
            return;
        }
        Kind kind = headReceived ? Kind.RESET : classify(cause);
        String message = headReceived
                ? "upstream closed the connection before the response completed"
                : kind == Kind.UNAVAILABLE ? "cannot reach upstream: " + describe(cause)
                : "upstream closed the connection without responding";
        fail(kind, message, cause);
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
            timeoutTask = channel.eventLoop().schedule(this::checkTimeout, timeoutNanos - idle, TimeUnit.NANOSECONDS);
        }
    }

    private void complete() {
        finished = true;
        detach(keepAlive);
    }

    private void fail(Kind kind, String message, Throwable cause) {
        if (finished) {
            return;
        }
        finished = true;
        releaseRequest();
        if (channel != null) {
            detach(false);
        }
        listener.onError(new UpstreamException(kind, message, cause));
    }

    /** Takes this exchange off the connection and gives the connection back (closed unless reusable). */
    private void detach(boolean reusable) {
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
        }
        if (channel == null) {
            return;
        }
        if (channel.pipeline().get(HANDLER_NAME) == this) {
            channel.pipeline().remove(this);
        }
        if (!reusable) {
            channel.close();
        }
        pool.release(channel);
    }

    private void releaseRequest() {
        if (request != null) {
            request.release();
            request = null;
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
