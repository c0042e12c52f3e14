package dev.toolgate.proxy.stream;

import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.ErrorBodies;
import dev.toolgate.proxy.upstream.ForwardedHeaders;
import dev.toolgate.proxy.upstream.UpstreamCall;
import dev.toolgate.proxy.upstream.UpstreamErrors;
import dev.toolgate.proxy.upstream.UpstreamException;
import dev.toolgate.proxy.upstream.UpstreamListener;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an upstream event stream to the client through a {@link StreamRewriter}: events are
 * decoded as bytes arrive, text goes out at once, tool calls wait for their decisions. Reading the
 * upstream pauses while the client cannot keep up or output waits for a decision, so memory per
 * stream stays bounded and a slow client slows the upstream. An upstream answer that is not a
 * successful event stream (an error) is relayed untouched.
 */
public final class StreamRelay implements UpstreamListener {
    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);
    private static final byte[] EVENT_END = {'\n', '\n'};

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
        }
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

    private void write(SseEvent event) {
        if (ended || event.raw().length == 0) {
            return;
        }
        exchange.writeChunk(framed(event)).addListener(done -> resumeIfCaughtUp());
    }

    /**
     * The event's bytes, after a blank line when the last event written was an upstream event cut
     * short and something follows it (calls decided at the end, an error): the client would
     * otherwise read the two as one event.
     */
    private ByteBuf framed(SseEvent event) {
        byte[] raw = event.raw();
        ByteBuf bytes;
        if (midEvent) {
            byte[] joined = Arrays.copyOf(EVENT_END, EVENT_END.length + raw.length);
            System.arraycopy(raw, 0, joined, EVENT_END.length, raw.length);
            bytes = Unpooled.wrappedBuffer(joined);
        } else {
            bytes = Unpooled.wrappedBuffer(raw);
        }
        midEvent = !event.endsEvent();
        return bytes;
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
            exchange.endStream(Unpooled.EMPTY_BUFFER);
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
        SseEvent error = SseEvent.data(Json.text(ErrorBodies.of(code, message)));
        exchange.writeChunk(framed(error));
        exchange.endStream(Unpooled.EMPTY_BUFFER);
    }
}
