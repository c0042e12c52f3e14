package dev.toolgate.proxy.stream;

import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.ErrorBodies;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.upstream.ForwardedHeaders;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import dev.toolgate.proxy.upstream.UpstreamCall;
import dev.toolgate.proxy.upstream.UpstreamErrors;
import dev.toolgate.proxy.upstream.UpstreamException;
import dev.toolgate.proxy.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an upstream event stream to the client through a {@link StreamRewriter}: events are
 * decoded as bytes arrive, text goes out at once, tool calls wait for their decisions. Reading the
 * upstream pauses while the client cannot keep up or output waits for a decision, so memory per
 * stream stays bounded and a slow client slows the upstream. An upstream answer that is not a
 * successful event stream (an error) is relayed untouched.
 *
 * <p>What one upstream read (or one decision coming in) releases is gathered into one buffer and
 * written as one chunk with one flush: a stream of token-sized events costs a write per read, not
 * a write, a chunk header and a system call per event.
 */
public final class StreamRelay implements UpstreamListener {
    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);
    private static final byte[] EVENT_END = {'\n', '\n'};
    /** Room for output beyond the size of the read it comes from (events the gateway adds), or from a decision. */
    private static final int BATCH_BYTES = 8 * 1024;

    private final Exchange exchange;
    private final StreamRewriter rewriter;
    private final SseDecoder decoder;
    private final OrderedOutput output;
    private UpstreamCall call;
    private boolean relayUntouched;
    private boolean refused;
    private boolean ended;
    /** The last event written did not end with its blank line. */
    private boolean midEvent;
    /** Output written since the last flush, or null. */
    private ByteBuf batch;
    /** An upstream read is being handled: its output is flushed once it is done. */
    private boolean inRead;
    private boolean flushScheduled;
    /** The size of the read being handled: about what its output will be. */
    private int readBytes;
    private final ChannelFutureListener resumeWhenWritten = written -> resumeIfCaughtUp();

    public StreamRelay(Exchange exchange, StreamRewriter rewriter, int maxEventBytes) {
        this.exchange = exchange;
        this.rewriter = rewriter;
        this.decoder = new SseDecoder(maxEventBytes);
        this.output = new OrderedOutput(exchange.eventLoop(), this::write, this::decisionFailed);
    }

    @Override
    public void attach(UpstreamCall call) {
        this.call = call;
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        boolean success = head.status().codeClass() == HttpStatusClass.SUCCESS;
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (success && !contentType.startsWith("text/event-stream")) {
            // A successful answer we cannot read as a stream cannot be decided: refuse it, release nothing.
            log.warn("upstream answered a streaming request with '{}' instead of an event stream; refusing it", contentType);
            refused = true;
            return;
        }
        relayUntouched = !success;
        exchange.startStream(new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status(),
                ForwardedHeaders.toClient(head.headers(), relayUntouched)));
    }

    @Override
    public void onContent(ByteBuf content, boolean last) {
        if (refused || ended) {
            content.release();
            if (refused && last) {
                exchange.fail(new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_INVALID_RESPONSE",
                        "the upstream answered a streaming request without an event stream; nothing was released"));
            }
            return;
        }
        if (relayUntouched) {
            relayRaw(content, last);
            return;
        }
        inRead = true;
        readBytes = content.readableBytes();
        try {
            for (SseEvent event : decoder.decode(content)) {
                rewriter.onEvent(event, output);
            }
            if (last) {
                decoder.finish().forEach(event -> rewriter.onEvent(event, output));
                rewriter.onEnd(output);
                output.whenDrained(this::complete);
            }
        } catch (SseDecoder.EventTooLarge e) {
            fail("UPSTREAM_EVENT_TOO_LARGE", e.getMessage());
        } catch (UnreadableAnswerException e) {
            fail("UPSTREAM_INVALID_RESPONSE", e.getMessage() + "; nothing held was released");
        } catch (RuntimeException bug) {
            // A rewriter that cannot go on must not leave held calls half-sent: end the stream, closed.
            log.error("internal error rewriting a stream for {}; ending it, nothing held was released", exchange.path(), bug);
            fail("INTERNAL_ERROR", "the gateway failed while reading this stream; nothing held was released");
        } finally {
            content.release();
            inRead = false;
        }
        flush();
        pauseWhileBehind();
    }

    @Override
    public void onError(UpstreamException error) {
        if (!exchange.streamStarted()) {
            ended = true;
            exchange.fail(UpstreamErrors.toApiError(error));
            return;
        }
        fail(UpstreamErrors.toApiError(error).code(), error.getMessage());
    }

    private void relayRaw(ByteBuf content, boolean last) {
        if (last) {
            exchange.endStream(content);
        } else {
            ChannelFuture written = exchange.writeChunk(content);
            if (call != null && !exchange.clientWritable()) {
                call.setReading(false);
                written.addListener(done -> call.setReading(true));
            }
        }
    }

    /** Adds an event to the output of this turn of the loop; {@link #flush()} sends it. */
    private void write(SseEvent event) {
        if (ended || event.raw().length == 0) {
            return;
        }
        append(event);
        if (!inRead && !flushScheduled) {
            // Written by a decision completing on the loop: sent once that task is done.
            flushScheduled = true;
            exchange.eventLoop().execute(this::flush);
        }
    }

    private void append(SseEvent event) {
        if (batch == null) {
            int room = Math.max(event.raw().length + EVENT_END.length, inRead ? readBytes + BATCH_BYTES : BATCH_BYTES);
            batch = exchange.context().alloc().buffer(room);
        }
        if (midEvent) {
            // The last event written was an upstream event cut short and something follows it
            // (calls decided at the end, an error): the client would otherwise read the two as one.
            batch.writeBytes(EVENT_END);
        }
        batch.writeBytes(event.raw());
        midEvent = !event.endsEvent();
    }

    /**
     * Sends what this turn wrote as one chunk, flushed once: one write per upstream read rather
     * than one per event.
     */
    private void flush() {
        flushScheduled = false;
        ByteBuf out = takeBatch();
        if (out != null && !ended) {
            exchange.writeChunk(out).addListener(resumeWhenWritten);
        } else if (out != null) {
            out.release();
        }
    }

    private ByteBuf takeBatch() {
        ByteBuf out = batch;
        batch = null;
        return out;
    }

    /** Stops reading while the client lags or output waits for a decision; bounded memory per stream. */
    private void pauseWhileBehind() {
        if (call != null && !ended && (output.holding() || !exchange.clientWritable())) {
            call.setReading(false);
        }
    }

    private void resumeIfCaughtUp() {
        if (call != null && !ended && !output.holding() && exchange.clientWritable()) {
            call.setReading(true);
        }
    }

    private void complete() {
        if (!ended) {
            ended = true;
            ByteBuf out = takeBatch();
            exchange.endStream(out != null ? out : Unpooled.EMPTY_BUFFER);
        }
    }

    private void decisionFailed(Throwable cause) {
        log.error("a streamed tool call could not be decided; ending the stream, nothing held was released: {}", cause.toString());
        fail("DECISION_UNAVAILABLE", "the gateway could not record a decision for a tool call in this stream; nothing held was released");
    }

    /**
     * Ends a started stream with an error event the client can read; whatever was held for a
     * decision is dropped, never sent.
     */
    private void fail(String code, String message) {
        if (ended) {
            return;
        }
        ended = true;
        if (call != null) {
            call.cancel();
        }
        log.warn("ending stream for {} with {}: {}", exchange.path(), code, message);
        // What was written before the failure leaves first, then the error event, then the end.
        append(SseEvent.data(Json.text(ErrorBodies.of(code, message))));
        exchange.endStream(takeBatch());
    }
}
