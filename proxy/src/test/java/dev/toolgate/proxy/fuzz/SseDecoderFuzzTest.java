package dev.toolgate.proxy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The SSE decoder on any bytes, cut into reads anywhere: it throws nothing but
 * {@link SseDecoder.EventTooLarge} (at the same byte, whatever the reads), decodes the same events
 * whatever the read boundaries, and loses no byte (the events' raw bytes put together are the
 * input), so a stream it passes through is byte for byte what the upstream sent.
 */
class SseDecoderFuzzTest {
    /** Small, so that fuzzing reaches the limit. */
    private static final int MAX_EVENT_BYTES = 1024;

    /** One event as compared: its fields and its exact bytes. */
    private record Decoded(String event, String data, String raw) {
        static Decoded of(SseEvent event) {
            return new Decoded(event.event(), event.data(), new String(event.raw(), StandardCharsets.ISO_8859_1));
        }
    }

    /** The events decoded from {@code reads}, and whether an event was too large (nothing is decoded past it). */
    private record Result(List<Decoded> events, boolean tooLarge) {
    }

    @FuzzTest
    void sameEventsAndEveryByteAtAnyReadBoundary(byte[] input) {
        SplitInput split = SplitInput.of(input);

        Result whole = decode(new byte[][] {split.stream()}, MAX_EVENT_BYTES);
        Result cut = decode(split.reads(), MAX_EVENT_BYTES);

        assertThat(cut.tooLarge()).isEqualTo(whole.tooLarge());
        if (whole.tooLarge()) {
            // The stream fails at the same byte; the events completed in the read that failed are
            // not handed out, so how many came before depends on the reads, but never which.
            List<Decoded> unbounded = decode(new byte[][] {split.stream()}, Integer.MAX_VALUE).events();
            assertIsPrefix(cut.events(), unbounded);
            assertIsPrefix(whole.events(), cut.events());
        } else {
            assertThat(cut).isEqualTo(whole);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            whole.events().forEach(event -> joined.writeBytes(event.raw().getBytes(StandardCharsets.ISO_8859_1)));
            assertThat(joined.toByteArray()).isEqualTo(split.stream());
        }
    }

    private static void assertIsPrefix(List<Decoded> prefix, List<Decoded> of) {
        assertThat(prefix.size()).isLessThanOrEqualTo(of.size());
        assertThat(of.subList(0, prefix.size())).isEqualTo(prefix);
    }

    private static Result decode(byte[][] reads, int maxEventBytes) {
        SseDecoder decoder = new SseDecoder(maxEventBytes);
        List<Decoded> events = new ArrayList<>();
        try {
            for (byte[] read : reads) {
                // Pooled, as the upstream client delivers them; the caller releases, as StreamRelay does.
                ByteBuf chunk = PooledByteBufAllocator.DEFAULT.buffer(read.length).writeBytes(read);
                try {
                    decoder.decode(chunk).forEach(event -> events.add(Decoded.of(event)));
                    assertThat(chunk.isReadable()).as("every byte of a read is consumed").isFalse();
                } finally {
                    chunk.release();
                }
            }
        } catch (SseDecoder.EventTooLarge e) {
            return new Result(events, true);
        }
        decoder.finish().forEach(event -> events.add(Decoded.of(event)));
        return new Result(events, false);
    }
}
