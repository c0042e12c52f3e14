package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.EventIds;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shortcuts in computing an event's hash give what the documented canonical form gives. */
class AuditChainTest {
    private static final DateTimeFormatter DOCUMENTED =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void timesAreWrittenAsTheFormatterWritesThem() {
        List<Instant> edges = List.of(Instant.EPOCH, Instant.parse("2024-02-29T23:59:59.999999999Z"),
                Instant.parse("2025-06-01T12:00:00.000001Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("0001-01-01T00:00:00Z"));
        for (Instant time : edges) {
            assertThat(AuditChain.time(time)).isEqualTo(documented(time));
        }
        Random random = new Random(20261122);
        long year10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            Instant time = Instant.ofEpochSecond(Math.floorMod(random.nextLong(), year10000), random.nextInt(1_000_000_000));
            assertThat(AuditChain.time(time)).isEqualTo(documented(time));
        }
    }

    @Test
    void aChainHashesAScoreTheSameWhateverItHashedBefore() {
        AuditChain reused = new AuditChain();
        for (double score : new double[] {0.0, 0.7, 0.25, 0.7, -0.0, 0.0, Double.NaN, 1.0, 1.0, Double.NEGATIVE_INFINITY}) {
            AuditEvent event = event(score);
            AuditChain primed = new AuditChain();
            primed.hash(AuditChain.GENESIS, event(0.5));
            String expected = primed.hash(AuditChain.GENESIS, event);
            assertThat(reused.hash(AuditChain.GENESIS, event)).as("score %s after others", score).isEqualTo(expected);
            assertThat(new AuditChain().hash(AuditChain.GENESIS, event)).as("score %s first", score).isEqualTo(expected);
        }
        assertThat(AuditChain.exactDecimal(-0.0)).isEqualTo("0");
        assertThat(AuditChain.exactDecimal(0.25)).isEqualTo("0.25");
    }

    private static String documented(Instant time) {
        return DOCUMENTED.format(time.truncatedTo(ChronoUnit.MICROS));
    }

    private static AuditEvent event(double score) {
        return new AuditEvent(0, EventIds.next(), Instant.parse("2025-06-01T12:00:00Z"), "acme", "bot", "proxy", "read_file", null,
                "{}", "allowed", List.of("r"), List.of("r: fine"), score, null, "v1", null, 200, 5, null);
    }
}
