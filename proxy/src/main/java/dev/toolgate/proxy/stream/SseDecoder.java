package dev.toolgate.proxy.stream;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits an SSE byte stream into events as bytes arrive, whatever the read boundaries: an event
 * (or a UTF-8 character, or a line ending) split across reads is joined; several events in one
 * read are all returned. Lines end in LF, CRLF or CR (the SSE grammar). Memory is bounded: an
 * event larger than {@code maxEventBytes} is an error, not a buffer that grows without end.
 *
 * <p>Reads are scanned in bulk for line ends only; an event's fields are read once the event is
 * complete, from its own bytes. The LF of a CRLF whose CR ended an event goes with the next event,
 * so that the events' bytes put together are exactly the stream.
 */
public final class SseDecoder {
    /** Thrown when an event exceeds the limit; the stream cannot be decided and must end. */
    public static final class EventTooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        EventTooLarge(int limit) {
            super("an upstream event exceeds " + limit + " bytes");
        }
    }

    private static final byte[] NO_BYTES = {};
    /**
     * Where a read that is not backed by an array is copied: one per thread (decoding runs on the
     * event loop and keeps nothing of it), not one per stream, as most streams sit idle.
     */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[16 * 1024];
        }
    };
    private static final int MAX_SCRATCH_BYTES = 1024 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final int maxEventBytes;
    /** The bytes of the event in progress that arrived in earlier reads. */
    private byte[] pending = NO_BYTES;
    private int pendingLength;
    /** The current line has bytes (other than the LF of a CRLF). */
    private boolean lineHasBytes;
    private boolean lastWasCr;
    /** The event in progress starts with the LF of the CRLF that ended the previous one. */
    private boolean startsWithLf;
    /** Lines the event in progress has had, and where the first one ends in its bytes. */
    private int lines;
    private int firstLineEnd;

    public SseDecoder(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** Reads every readable byte of {@code chunk} (without releasing it) and returns the events it completed. */
    public List<SseEvent> decode(ByteBuf chunk) throws EventTooLarge {
        int length = chunk.readableBytes();
        byte[] bytes;
        int offset;
        if (chunk.hasArray()) {
            bytes = chunk.array();
            offset = chunk.arrayOffset() + chunk.readerIndex();
        } else {
            // One bulk copy: reading a ByteBuf byte by byte costs a check per byte (and, under leak
            // detection, a recorded stack trace per byte).
            bytes = SCRATCH.get();
            if (bytes.length < length) {
                bytes = new byte[length];
                if (length <= MAX_SCRATCH_BYTES) {
                    SCRATCH.set(bytes);
                }
            }
            chunk.getBytes(chunk.readerIndex(), bytes, 0, length);
            offset = 0;
        }
        List<SseEvent> complete = decode(bytes, offset, offset + length);
        chunk.readerIndex(chunk.writerIndex());
        return complete;
    }

    private List<SseEvent> decode(byte[] bytes, int from, int to) throws EventTooLarge {
        List<SseEvent> complete = new ArrayList<>(Math.min(64, 1 + (to - from) / 128));
        int eventStart = from;
        int at = from;
        while (at < to) {
            if (lastWasCr) {
                lastWasCr = false;
                if (bytes[at] == '\n') {
                    // The LF of a CRLF: the line already ended at the CR. It is the one byte the
                    // limit is not checked on, as it ends nothing.
                    if (pendingLength == 0 && at == eventStart) {
                        startsWithLf = true;
                    }
                    at++;
                    continue;
                }
            }
            int end = lineEnd(bytes, at, to);
            lineHasBytes |= end > at;
            if (end == to) {
                checkSize(pendingLength + to - eventStart);
                at = to;
                break;
            }
            lastWasCr = bytes[end] == '\r';
            at = end + 1;
            checkSize(pendingLength + at - eventStart);
            if (!lineHasBytes) {
                complete.add(dispatch(bytes, eventStart, at));
                eventStart = at;
            } else if (lines++ == 0) {
                firstLineEnd = pendingLength + end - eventStart;
            }
            lineHasBytes = false;
        }
        keep(bytes, eventStart, to);
        return complete;
    }

    /**
     * The stream ended. A last event without its blank line is still dispatched when it has data
     * (a lenient reading that keeps a truncated final chunk from vanishing unseen); bytes that
     * make no event (the LF of a final CRLF, a cut-off comment) still leave as an event of their
     * own, so that a stream passed through stays byte for byte what the upstream sent.
     */
    public List<SseEvent> finish() {
        if (pendingLength == 0) {
            return new ArrayList<>(1);
        }
        byte[] raw = Arrays.copyOf(pending, pendingLength);
        List<SseEvent> complete = new ArrayList<>(1);
        // Its last line may have no end: the event is read line by line.
        lines = -1;
        complete.add(event(raw));
        reset();
        return complete;
    }

    /** The first CR or LF in {@code bytes[from, to)}, or {@code to}; eight bytes at a time. */
    static int lineEnd(byte[] bytes, int from, int to) {
        int at = from;
        while (at + Long.BYTES <= to) {
            long word = (long) LONGS.get(bytes, at);
            // Flags bytes below CR + 1 (the lowest flag is exact; flags above it may not be).
            long low = (word - 0x0E0E0E0E0E0E0E0EL) & ~word & 0x8080808080808080L;
            if (low == 0) {
                at += Long.BYTES;
                continue;
            }
            int first = at + (Long.numberOfTrailingZeros(low) >>> 3);
            if (bytes[first] == '\n' || bytes[first] == '\r') {
                return first;
            }
            // A tab or another control character: look on after it.
            at = first + 1;
        }
        for (; at < to; at++) {
            if (bytes[at] == '\n' || bytes[at] == '\r') {
                return at;
            }
        }
        return to;
    }

    private void checkSize(int eventBytes) throws EventTooLarge {
        if (eventBytes > maxEventBytes) {
            throw new EventTooLarge(maxEventBytes);
        }
    }

    /** The event that ends at {@code to}: what earlier reads kept of it, then {@code bytes[from, to)}. */
    private SseEvent dispatch(byte[] bytes, int from, int to) {
        byte[] raw;
        if (pendingLength == 0) {
            raw = Arrays.copyOfRange(bytes, from, to);
        } else {
            raw = Arrays.copyOf(pending, pendingLength + to - from);
            System.arraycopy(bytes, from, raw, pendingLength, to - from);
        }
        SseEvent event = event(raw);
        reset();
        return event;
    }

    private void reset() {
        pendingLength = 0;
        startsWithLf = false;
        lines = 0;
        if (pending.length > 64 * 1024) {
            // A large event passed: do not keep its room for the rest of the stream.
            pending = NO_BYTES;
        }
    }

    /** Keeps the start of an event the read did not complete, for the next read. */
    private void keep(byte[] bytes, int from, int to) {
        int length = to - from;
        if (length == 0) {
            return;
        }
        int needed = pendingLength + length;
        if (pending.length < needed) {
            // Doubling, up to the most an event may hold (its limit and the LF of a CRLF).
            long room = Math.min(Math.max(2L * pending.length, 512), maxEventBytes + 1L);
            pending = Arrays.copyOf(pending, (int) Math.max(needed, room));
        }
        System.arraycopy(bytes, from, pending, pendingLength, length);
        pendingLength += length;
    }

    /** Reads the fields of one event's bytes: each line up to its blank line (or the end). */
    private SseEvent event(byte[] raw) {
        int at = startsWithLf ? 1 : 0;
        if (lines == 1) {
            // The usual event, one data line: where it ends is known already.
            int valueStart = dataValue(raw, at, firstLineEnd);
            if (valueStart >= 0) {
                return new SseEvent(null, new String(raw, valueStart, firstLineEnd - valueStart, StandardCharsets.UTF_8), raw);
            }
        }
        String eventType = null;
        String data = null;
        StringBuilder joined = null;
        while (at < raw.length) {
            int end = lineEnd(raw, at, raw.length);
            if (end == at) {
                break;
            }
            int valueStart = dataValue(raw, at, end);
            if (valueStart >= 0) {
                String value = new String(raw, valueStart, end - valueStart, StandardCharsets.UTF_8);
                if (data == null) {
                    data = value;
                } else {
                    joined = (joined == null ? new StringBuilder(data) : joined).append('\n').append(value);
                }
            } else {
                String text = new String(raw, at, end - at, StandardCharsets.UTF_8);
                if (!text.startsWith(":")) {
                    int colon = text.indexOf(':');
                    String name = colon < 0 ? text : text.substring(0, colon);
                    String value = colon < 0 ? "" : text.substring(colon + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    if (name.equals("data")) {
                        // Only "data" without a colon: an empty data line.
                        if (data == null) {
                            data = value;
                        } else {
                            joined = (joined == null ? new StringBuilder(data) : joined).append('\n').append(value);
                        }
                    } else if (name.equals("event")) {
                        eventType = value;
                    }
                }
            }
            if (end == raw.length) {
                break;
            }
            at = end + (raw[end] == '\r' && end + 1 < raw.length && raw[end + 1] == '\n' ? 2 : 1);
        }
        return new SseEvent(eventType, joined != null ? joined.toString() : data, raw);
    }

    /** Where the value of a {@code data:} line starts (after one optional space), or -1 for any other line. */
    private static int dataValue(byte[] raw, int from, int to) {
        if (to - from < 5 || raw[from] != 'd' || raw[from + 1] != 'a' || raw[from + 2] != 't' || raw[from + 3] != 'a'
                || raw[from + 4] != ':') {
            return -1;
        }
        return to > from + 5 && raw[from + 5] == ' ' ? from + 6 : from + 5;
    }
}
