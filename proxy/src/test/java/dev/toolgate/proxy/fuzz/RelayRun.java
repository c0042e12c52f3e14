package dev.toolgate.proxy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.TestExchanges;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamRelay;
import dev.toolgate.proxy.stream.StreamRewriter;
import dev.toolgate.proxy.stream.StreamSink;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One fuzzed upstream event stream through the real {@link StreamRelay} and a rewriter, on an
 * {@code EmbeddedChannel}, read as the upstream client delivers it (pooled buffers, cut where the
 * input says). Checks what holds for every format: no exception leaves the relay or the rewriter
 * (but the {@link UnreadableAnswerException} by which a rewriter refuses an unreadable event),
 * the request and every buffer are released, and the response ends. The client's bytes are then
 * for the format's own check.
 */
final class RelayRun {
    /** Small limits, so that fuzzing reaches the too-large paths as well. */
    static final int MAX_EVENT_BYTES = 16 * 1024;
    static final long MAX_ARGUMENT_BYTES = 2 * 1024;

    private final byte[] body;

    private RelayRun(byte[] body) {
        this.body = body;
    }

    static RelayRun of(StreamRewriter rewriter, byte[] input) {
        SplitInput split = SplitInput.of(input);
        RecordingRewriter recording = new RecordingRewriter(rewriter);
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions",
                PooledByteBufAllocator.DEFAULT.buffer(0));
        Exchange exchange = TestExchanges.of(channel.pipeline().firstContext(), request);
        StreamRelay relay = new StreamRelay(exchange, recording, MAX_EVENT_BYTES);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended = false;
        try {
            relay.onResponseHead(head);
            byte[][] reads = split.reads();
            for (int i = 0; i < reads.length; i++) {
                ByteBuf chunk = PooledByteBufAllocator.DEFAULT.buffer(reads[i].length).writeBytes(reads[i]);
                relay.onContent(chunk, i == reads.length - 1);
                channel.runPendingTasks();
                // A task on the loop (writing decided output) that threw: EmbeddedChannel keeps it for this.
                channel.checkException();
                ended |= drain(channel, body);
            }
            channel.runPendingTasks();
            channel.checkException();
            ended |= drain(channel, body);
        } finally {
            channel.finishAndReleaseAll();
        }

        if (!recording.failures.isEmpty()) {
            throw new AssertionError("the rewriter threw (the relay ended the stream as an internal error)", recording.failures.get(0));
        }
        assertThat(request.refCnt()).as("the request is released").isZero();
        assertThat(ended || !channel.isOpen()).as("the response ended").isTrue();
        return new RelayRun(body.toByteArray());
    }

    /** The body bytes written so far; true once the last content was written. Every message is released. */
    private static boolean drain(EmbeddedChannel channel, ByteArrayOutputStream body) {
        boolean last = false;
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            try {
                if (message instanceof HttpContent content) {
                    ByteBuf bytes = content.content();
                    bytes.getBytes(bytes.readerIndex(), body, bytes.readableBytes());
                } else if (message instanceof ByteBuf bytes) {
                    bytes.getBytes(bytes.readerIndex(), body, bytes.readableBytes());
                }
                last |= message instanceof LastHttpContent;
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        return last;
    }

    /** What the client received, as events. */
    List<SseEvent> events() {
        return decode(body);
    }

    /** A fixture from {@code src/test/resources/fixtures}. */
    static byte[] fixture(String name) {
        try (InputStream in = RelayRun.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code stream}, as events. */
    static List<SseEvent> decode(byte[] stream) {
        SseDecoder decoder = new SseDecoder(Integer.MAX_VALUE);
        ByteBuf whole = Unpooled.wrappedBuffer(stream);
        try {
            List<SseEvent> events = new ArrayList<>(decoder.decode(whole));
            events.addAll(decoder.finish());
            return events;
        } catch (SseDecoder.EventTooLarge impossible) {
            throw new IllegalStateException(impossible);
        } finally {
            whole.release();
        }
    }

    /**
     * Passes everything to the real rewriter and remembers what it threw (the relay catches it,
     * ending the stream as an internal error), except {@link UnreadableAnswerException}: refusing
     * an event that hides its calls is the rewriter's way of failing closed.
     */
    private static final class RecordingRewriter implements StreamRewriter {
        private final StreamRewriter rewriter;
        final List<RuntimeException> failures = new ArrayList<>();

        RecordingRewriter(StreamRewriter rewriter) {
            this.rewriter = rewriter;
        }

        @Override
        public void onEvent(SseEvent event, StreamSink sink) {
            try {
                rewriter.onEvent(event, sink);
            } catch (UnreadableAnswerException failClosed) {
                throw failClosed;
            } catch (RuntimeException e) {
                failures.add(e);
                throw e;
            }
        }

        @Override
        public void onEnd(StreamSink sink) {
            try {
                rewriter.onEnd(sink);
            } catch (UnreadableAnswerException failClosed) {
                throw failClosed;
            } catch (RuntimeException e) {
                failures.add(e);
                throw e;
            }
        }
    }
}
