package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The binary form of one {@link ChainedEvent} in the audit journal: a 4-byte big-endian payload
 * length, the payload's CRC-32C (4 bytes), then the payload. The payload starts with a format
 * version byte, then every field in {@link AuditEvent} order and the chain link: text as a 4-byte
 * UTF-8 length (-1 for null) and the bytes; the time as epoch seconds (8 bytes) and nanoseconds
 * (4); lists as a 4-byte count and their strings; numbers in Java's big-endian forms. The length
 * and checksum let a reader tell a record cut short by a crash from a complete one.
 */
final class JournalRecords {
    static final int HEADER_BYTES = 8;
    /** Larger than any event the gateway writes (arguments are capped far below): a bigger length is corruption. */
    static final int MAX_PAYLOAD_BYTES = 64 << 20;

    private static final byte FORMAT = 1;

    private JournalRecords() {
    }

    /** The records of {@code events}, in order, in one buffer ready to be written. */
    static ByteBuffer encode(List<ChainedEvent> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(events.size() * 512);
        DataOutputStream out = new DataOutputStream(bytes);
        ByteArrayOutputStream payload = new ByteArrayOutputStream(512);
        try {
            for (ChainedEvent event : events) {
                payload.reset();
                writePayload(new DataOutputStream(payload), event);
                CRC32C crc = new CRC32C();
                crc.update(payload.toByteArray(), 0, payload.size());
                out.writeInt(payload.size());
                out.writeInt((int) crc.getValue());
                payload.writeTo(out);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return ByteBuffer.wrap(bytes.toByteArray());
    }

    /**
     * Decodes the complete records at the start of {@code buffer}, advancing its position past
     * each. Stops, position at the start of the record, at the first one that is cut short or
     * does not match its checksum; {@link #isClean} then says whether anything is left.
     */
    static List<ChainedEvent> decode(ByteBuffer buffer) {
        List<ChainedEvent> events = new ArrayList<>();
        while (buffer.remaining() >= HEADER_BYTES) {
            int start = buffer.position();
            int length = buffer.getInt();
            int checksum = buffer.getInt();
            if (length < 0 || length > MAX_PAYLOAD_BYTES || length > buffer.remaining()) {
                buffer.position(start);
                break;
            }
            CRC32C crc = new CRC32C();
            crc.update(buffer.slice(buffer.position(), length));
            if ((int) crc.getValue() != checksum) {
                buffer.position(start);
                break;
            }
            ByteBuffer payload = buffer.slice(buffer.position(), length);
            buffer.position(buffer.position() + length);
            try {
                events.add(readPayload(payload));
            } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException e) {
                // The checksum matched, so this is a format this version cannot read, not a torn write.
                throw new IllegalStateException("audit journal record at byte " + start + " has a checksum that matches"
                        + " but cannot be read: " + e, e);
            }
        }
        return events;
    }

    /** True when {@link #decode} consumed everything: no torn or corrupt record follows. */
    static boolean isClean(ByteBuffer buffer) {
        return !buffer.hasRemaining();
    }

    private static void writePayload(DataOutputStream out, ChainedEvent chained) throws IOException {
        AuditEvent e = chained.event();
        out.writeByte(FORMAT);
        writeText(out, e.eventId());
        out.writeLong(e.time().getEpochSecond());
        out.writeInt(e.time().getNano());
        writeText(out, e.workspace());
        writeText(out, e.agent());
        writeText(out, e.source());
        writeText(out, e.tool());
        writeText(out, e.toolCallId());
        writeText(out, e.arguments());
        writeText(out, e.decision());
        writeList(out, e.rules());
        writeList(out, e.reasons());
        out.writeDouble(e.riskScore());
        writeText(out, e.approvalId());
        writeText(out, e.policyVersion());
        writeText(out, e.model());
        out.writeInt(e.upstreamStatus() == null ? -1 : e.upstreamStatus());
        out.writeLong(e.overheadMicros());
        writeText(out, e.decidedBy());
        writeText(out, chained.prevHash());
        writeText(out, chained.hash());
    }

    private static ChainedEvent readPayload(ByteBuffer in) {
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("record format " + format + " (this version reads " + FORMAT + ")");
        }
        String eventId = readText(in);
        Instant time = Instant.ofEpochSecond(in.getLong(), in.getInt());
        String workspace = readText(in);
        String agent = readText(in);
        String source = readText(in);
        String tool = readText(in);
        String toolCallId = readText(in);
        String arguments = readText(in);
        String decision = readText(in);
        List<String> rules = readList(in);
        List<String> reasons = readList(in);
        double riskScore = in.getDouble();
        String approvalId = readText(in);
        String policyVersion = readText(in);
        String model = readText(in);
        int status = in.getInt();
        long overheadMicros = in.getLong();
        String decidedBy = readText(in);
        AuditEvent event = new AuditEvent(0, eventId, time, workspace, agent, source, tool, toolCallId, arguments, decision,
                rules, reasons, riskScore, approvalId, policyVersion, model, status < 0 ? null : status, overheadMicros,
                decidedBy);
        return new ChainedEvent(event, readText(in), readText(in));
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        if (text == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        String text = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return text;
    }

    private static void writeList(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String value : values) {
            writeText(out, value);
        }
    }

    private static List<String> readList(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > in.remaining()) {
            throw new IllegalArgumentException("list of " + count + " values");
        }
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readText(in));
        }
        return values;
    }
}
