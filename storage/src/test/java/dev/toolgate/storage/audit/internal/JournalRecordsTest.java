package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.AuditEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalRecordsTest {

    @Test
    void everyFieldSurvivesTheRoundTripIncludingNullsAndNonAsciiText() {
        AuditEvent full = new AuditEvent(0, "0190c5e2-0000-7000-8000-000000000001", Instant.parse("2025-06-01T12:00:00.123456789Z"),
                "acme", "bot ✓", "proxy", "send_email", "call_1", "{\"to\":\"zoë@example.com\",\"body\":\"line\\nbreak\"}",
                "allowed", List.of("rule-1", "rule-2"), List.of("matched rule-1"), 0.7, "apr_1", "v3", "gpt-4o", 200, 850,
                "alice@example.com");
        AuditEvent sparse = new AuditEvent(0, "0190c5e2-0000-7000-8000-000000000002", Instant.EPOCH, "acme", "bot", "intercept",
                "read_file", null, "{}", "blocked", List.of(), List.of(), -0.0, null, "v3", null, null, 0, null);
        List<ChainedEvent> written = List.of(new ChainedEvent(full, AuditChain.GENESIS, "a".repeat(64)),
                new ChainedEvent(sparse, "a".repeat(64), "b".repeat(64)));

        ByteBuffer bytes = JournalRecords.encode(written);
        List<ChainedEvent> read = JournalRecords.decode(bytes);

        assertThat(read).isEqualTo(written);
        assertThat(JournalRecords.isClean(bytes)).isTrue();
    }

    @Test
    void aRecordCutShortStopsTheReadAtItsStart() {
        List<ChainedEvent> written = events(3);
        byte[] whole = JournalRecords.encode(written).array();
        int firstTwo = JournalRecords.encode(written.subList(0, 2)).limit();
        for (int cut = firstTwo + 1; cut < whole.length; cut += 7) {
            ByteBuffer torn = ByteBuffer.wrap(whole, 0, cut).slice();

            assertThat(JournalRecords.decode(torn)).as("cut at %d", cut).isEqualTo(written.subList(0, 2));
            assertThat(torn.position()).isEqualTo(firstTwo);
            assertThat(JournalRecords.isClean(torn)).isFalse();
        }
    }

    @Test
    void aChangedByteFailsTheChecksumAndStopsTheRead() {
        List<ChainedEvent> written = events(2);
        byte[] bytes = JournalRecords.encode(written).array();
        int second = JournalRecords.encode(written.subList(0, 1)).limit();
        bytes[second + JournalRecords.HEADER_BYTES + 10] ^= 0x20;

        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertThat(JournalRecords.decode(buffer)).isEqualTo(written.subList(0, 1));
        assertThat(buffer.remaining()).isEqualTo(bytes.length - second);
    }

    @Test
    void aRecordOfAnotherFormatIsAnErrorNotATornWrite() {
        byte[] bytes = JournalRecords.encode(events(1)).array();
        bytes[JournalRecords.HEADER_BYTES] = 9;  // the format byte, with a checksum recomputed to match
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, JournalRecords.HEADER_BYTES, bytes.length - JournalRecords.HEADER_BYTES);
        ByteBuffer.wrap(bytes).putInt(4, (int) crc.getValue());

        assertThatThrownBy(() -> JournalRecords.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("format 9");
    }

    static List<ChainedEvent> events(int count) {
        List<ChainedEvent> events = new ArrayList<>();
        AuditChain chain = new AuditChain();
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < count; i++) {
            AuditEvent event = new AuditEvent(0, java.util.UUID.randomUUID().toString(), Instant.parse("2025-06-01T12:00:00Z"),
                    "acme", "bot", "proxy", "tool_" + i, "call_" + i, "{\"n\":" + i + "}", "allowed", List.of("rule-1"),
                    List.of("matched rule-1"), 0.25, null, "v1", "gpt-4o", 200, 100 + i, null);
            String hash = chain.hash(prev, event);
            events.add(new ChainedEvent(event, prev, hash));
            prev = hash;
        }
        return events;
    }
}
