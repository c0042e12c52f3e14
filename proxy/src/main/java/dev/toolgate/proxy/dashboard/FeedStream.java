package dev.toolgate.proxy.dashboard;

import dev.toolgate.proxy.server.Exchange;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's live feed: a server-sent-events response that stays open. Events are queued from
 * any thread and written on the connection's event loop, only while the connection is writable;
 * a client whose queue fills up (it stopped reading) is cut rather than let grow, and comes back
 * through EventSource's reconnect. A comment line every {@link #HEARTBEAT} keeps idle timeouts
 * (the gateway's and proxies') from closing a quiet feed.
 */
final class FeedStream {
    private static final Logger log = LoggerFactory.getLogger(FeedStream.class);
    static final int MAX_QUEUED_EVENTS = 256;
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** EventSource waits this long before reconnecting after the stream ends. */
    private static final long RECONNECT_MILLIS = 3000;
    private static final long WRITABILITY_RETRY_MILLIS = 100;

    private final Exchange exchange;
    private final String workspace;
    private final Runnable onEnd;
    private final Queue<String> queued = new ArrayDeque<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean open = true;
    private ScheduledFuture<?> heartbeats;

    private FeedStream(Exchange exchange, String workspace, Runnable onEnd) {
        this.exchange = exchange;
        this.workspace = workspace;
        this.onEnd = onEnd;
    }

    /** Starts the response on {@code exchange} (on its event loop); {@code onEnd} runs once when the stream ends. */
    static FeedStream start(Exchange exchange, String workspace, Runnable onEnd) {
        FeedStream stream = new FeedStream(exchange, workspace, onEnd);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        head.headers().set("X-Accel-Buffering", "no");  // nginx in front must pass events on as they come
        DashboardAssets.securityHeaders(head.headers());
        exchange.onClientGone(stream::stopped);
        exchange.startStream(head);
        stream.write("retry: " + RECONNECT_MILLIS + "\n: connected\n\n");
        stream.heartbeats = exchange.eventLoop().scheduleAtFixedRate(() -> {
            if (exchange.clientWritable()) {
                stream.write(": heartbeat\n\n");
            }
        }, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        return stream;
    }

    String workspace() {
        return workspace;
    }

    /**
     * Queues one event (any thread, never blocks); false when the stream has ended or was just cut
     * for falling {@value #MAX_QUEUED_EVENTS} events behind.
     */
    boolean offer(String event, String data) {
        if (!open) {
            return false;
        }
        boolean full;
        synchronized (queued) {
            full = queued.size() >= MAX_QUEUED_EVENTS;
            if (!full) {
                queued.add("event: " + event + "\ndata: " + data + "\n\n");
            }
        }
        if (full) {
            log.info("live feed client {} fell {} events behind; closing its feed (its browser reconnects)",
                    exchange.context().channel().remoteAddress(), MAX_QUEUED_EVENTS);
            close();
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            exchange.eventLoop().execute(this::drain);
        }
        return true;
    }

    /** Writes what is queued while the connection takes it; resumes when the last write is flushed. */
    private void drain() {
        drainScheduled.set(false);
        ChannelFuture last = null;
        while (open && exchange.clientConnected() && exchange.clientWritable()) {
            String next;
            synchronized (queued) {
                next = queued.poll();
            }
            if (next == null) {
                return;
            }
            last = write(next);
        }
        if (!open || !exchange.clientConnected() || !drainScheduled.compareAndSet(false, true)) {
            return;
        }
        if (last != null) {
            last.addListener(written -> drain());
        } else {
            // Not writable before anything went out: a short pause, rather than a hook on writability for one stream.
            exchange.eventLoop().schedule(this::drain, WRITABILITY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private ChannelFuture write(String text) {
        return exchange.writeChunk(ByteBufUtil.writeUtf8(exchange.context().alloc(), text));
    }

    /** Ends the response (any thread); the browser sees the stream finish and reconnects after a pause. */
    void close() {
        if (!exchange.eventLoop().inEventLoop()) {
            exchange.eventLoop().execute(this::close);
            return;
        }
        if (open) {
            stopped();
            if (exchange.clientConnected()) {
                exchange.endStream(Unpooled.EMPTY_BUFFER);
            }
        }
    }

    /** Once, however the stream ends: the client left, it was cut, or the gateway is shutting down. */
    private void stopped() {
        if (!open) {
            return;
        }
        open = false;
        onEnd.run();
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        synchronized (queued) {
            queued.clear();
        }
    }
}
