package dev.toolgate.proxy.mcp;

import dev.toolgate.proxy.server.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server-sent-events response kept open for MCP messages: events are written on the
 * connection's event loop from any thread, a comment line every {@link #PING_SECONDS} keeps idle
 * timeouts (ours and proxies') from cutting it, and a client that stops reading is cut by the
 * server's stalled-client guard like any other response.
 */
final class SseStream {
    static final long PING_SECONDS = 15;

    private final Exchange exchange;
    private volatile boolean open = true;
    private ScheduledFuture<?> pings;

    private SseStream(Exchange exchange) {
        this.exchange = exchange;
    }

    /** Starts the stream on {@code exchange}; {@code onGone} runs when the client disconnects. Call on the event loop. */
    static SseStream start(Exchange exchange, Runnable onGone) {
        SseStream stream = new SseStream(exchange);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        exchange.onClientGone(() -> {
            stream.stopped();
            onGone.run();
        });
        exchange.startStream(head);
        stream.pings = exchange.eventLoop().scheduleAtFixedRate(() -> stream.write(": ping\n\n"), PING_SECONDS, PING_SECONDS,
                TimeUnit.SECONDS);
        return stream;
    }

    /** Sends one event; false when the stream has ended. */
    boolean send(String event, String data) {
        if (!open) {
            return false;
        }
        write("event: " + event + "\ndata: " + data + "\n\n");
        return true;
    }

    private void write(String text) {
        if (!exchange.eventLoop().inEventLoop()) {
            exchange.eventLoop().execute(() -> write(text));
            return;
        }
        if (open && exchange.clientConnected()) {
            exchange.writeChunk(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        }
    }

    /** Ends the response; the client sees the stream finish. */
    void close() {
        if (!exchange.eventLoop().inEventLoop()) {
            exchange.eventLoop().execute(this::close);
            return;
        }
        if (open) {
            stopped();
            exchange.endStream(Unpooled.EMPTY_BUFFER);
        }
    }

    private void stopped() {
        open = false;
        if (pings != null) {
            pings.cancel(false);
        }
    }
}
