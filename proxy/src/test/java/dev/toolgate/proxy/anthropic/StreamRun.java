package dev.toolgate.proxy.anthropic;

import dev.toolgate.proxy.stream.OrderedOutput;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamRewriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One stream fed through the real decoder and rewriter into {@link OrderedOutput} (its loop runs
 * tasks at once), cut into reads where a test says, as TCP may cut it. What was written keeps
 * growing when decisions complete later.
 */
final class StreamRun {
    static final int MAX_EVENT_BYTES = 1 << 20;

    final List<SseEvent> written = new ArrayList<>();
    final List<Throwable> failures = new ArrayList<>();
    private final OrderedOutput output = new OrderedOutput(Runnable::run, written::add, failures::add);

    /** {@code cuts}: ascending offsets at which a new read starts. */
    static StreamRun of(StreamRewriter rewriter, byte[] input, int... cuts) throws SseDecoder.EventTooLarge {
        StreamRun run = new StreamRun();
        SseDecoder decoder = new SseDecoder(MAX_EVENT_BYTES);
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            ByteBuf read = Unpooled.wrappedBuffer(input, from, to - from);
            try {
                decoder.decode(read).forEach(event -> rewriter.onEvent(event, run.output));
            } finally {
                read.release();
            }
            from = to;
        }
        decoder.finish().forEach(event -> rewriter.onEvent(event, run.output));
        rewriter.onEnd(run.output);
        return run;
    }

    /** Every way the tests cut a stream: in two at each offset, and into one-byte reads. */
    static List<int[]> everyCutting(int length) {
        List<int[]> cuttings = new ArrayList<>(length + 1);
        for (int offset = 1; offset < length; offset++) {
            cuttings.add(new int[] {offset});
        }
        int[] single = new int[Math.max(0, length - 1)];
        for (int i = 0; i < single.length; i++) {
            single[i] = i + 1;
        }
        cuttings.add(single);
        return cuttings;
    }

    /** The events a whole input decodes to. */
    static List<SseEvent> decodeWhole(byte[] input) throws SseDecoder.EventTooLarge {
        SseDecoder decoder = new SseDecoder(MAX_EVENT_BYTES);
        ByteBuf whole = Unpooled.wrappedBuffer(input);
        try {
            List<SseEvent> events = new ArrayList<>(decoder.decode(whole));
            events.addAll(decoder.finish());
            return events;
        } finally {
            whole.release();
        }
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        written.forEach(event -> out.writeBytes(event.raw()));
        return out.toByteArray();
    }

    String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }
}
