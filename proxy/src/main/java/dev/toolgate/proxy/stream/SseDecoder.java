package dev.toolgate.proxy.stream;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an SSE byte stream into events as bytes arrive, whatever the read boundaries: an event
 * (or a UTF-8 character, or a line ending) split across reads is joined; several events in one
 * read are all returned. Lines end in LF, CRLF or CR (the SSE grammar). Memory is bounded: an
 * event larger than {@code maxEventBytes} is an error, not a buffer that grows without end.
 */
public final class SseDecoder {
    /** Thrown when an event exceeds the limit; the stream cannot be decided and must end. */
    public static final class EventTooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        EventTooLarge(int limit) {
            super("an upstream event exceeds " + limit + " bytes");
        }
    }

    private final int maxEventBytes;
    private final ByteArrayOutputStream event = new ByteArrayOutputStream(512);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private String eventType;
    private StringBuilder data;
    private boolean lastWasCr;

    public SseDecoder(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** Reads every readable byte of {@code chunk} (without releasing it) and returns the events it completed. */
    public List<SseEvent> decode(ByteBuf chunk) throws EventTooLarge {
        List<SseEvent> complete = new ArrayList<>(2);
        // One bulk copy: reading a ByteBuf byte by byte costs a check per byte (and, under leak
        // detection, a recorded stack trace per byte).
        byte[] bytes = new byte[chunk.readableBytes()];
        chunk.getBytes(chunk.readerIndex(), bytes);
        for (byte b : bytes) {
            if (lastWasCr && b == '\n') {
                // The LF of a CRLF: the line already ended at the CR.
                lastWasCr = false;
                event.write(b);
                continue;
            }
            lastWasCr = b == '\r';
            event.write(b);
            if (event.size() > maxEventBytes) {
                throw new EventTooLarge(maxEventBytes);
            }
            if (b == '\n' || b == '\r') {
                endLine(complete);
            } else {
                line.write(b);
            }
        }
        chunk.readerIndex(chunk.writerIndex());
        return complete;
    }

    /**
     * The stream ended. A last event without its blank line is still dispatched when it has data
     * (a lenient reading that keeps a truncated final chunk from vanishing unseen).
     */
    public List<SseEvent> finish() {
        List<SseEvent> complete = new ArrayList<>(1);
        if (line.size() > 0) {
            field(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
        if (data != null || eventType != null) {
            dispatch(complete);
        } else if (event.size() > 0) {
            // Bytes that make no event (the LF of a final CRLF, a cut-off comment) still leave, so
            // that a stream passed through stays byte for byte what the upstream sent.
            complete.add(new SseEvent(null, null, event.toByteArray()));
            event.reset();
        }
        return complete;
    }

    private void endLine(List<SseEvent> complete) {
        if (line.size() == 0) {
            dispatch(complete);
            return;
        }
        field(line.toString(StandardCharsets.UTF_8));
        line.reset();
    }

    private void field(String text) {
        if (text.startsWith(":")) {
            return;
        }
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (name.equals("data")) {
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
        } else if (name.equals("event")) {
            eventType = value;
        }
    }

    private void dispatch(List<SseEvent> complete) {
        complete.add(new SseEvent(eventType, data == null ? null : data.toString(), event.toByteArray()));
        event.reset();
        eventType = null;
        data = null;
    }
}
