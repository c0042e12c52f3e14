package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.internal.JsonLists;
import dev.toolgate.storage.internal.UtcTimestamps;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The audit hash chain: how an event's hash is computed, written down so an auditor can recompute it
 * from the {@code audit_events} table with any SHA-256 tool.
 *
 * <h2>Scope and order</h2>
 * Each workspace has its own chain: the events of one workspace in {@code id} order (the order they
 * were committed in). The first event of a workspace has {@code prev_hash} = 64 zeros ({@link #GENESIS});
 * every later event has the {@code hash} of the workspace's event before it. Per-workspace chains
 * let a workspace admin verify their own log without seeing another tenant's events, and let
 * several gateway instances share one database later: writers then need to agree only on the head
 * of each workspace they write to (a per-workspace lock held while inserting), not on one global head.
 *
 * <h2>Hash</h2>
 * {@code hash = lowercase-hex(SHA-256(UTF-8(prev_hash) || canonical event))}, where
 * {@code prev_hash} is the 64 lowercase hex characters stored in the row.
 *
 * <h2>Canonical event</h2>
 * The stored columns in this fixed order, one line each: the column name, {@code =}, then either
 * {@code -} for SQL NULL or the value's length in UTF-8 bytes in decimal, {@code :}, and the value's
 * UTF-8 bytes; then a line feed ({@code \n}). The length prefix makes any value (newlines,
 * {@code =}, non-ASCII) unambiguous without escaping. Columns and how each value is written:
 * <ol>
 *   <li>{@code event_id}, {@code event_time}, {@code workspace}, {@code agent}, {@code source}, {@code tool},
 *       {@code tool_call_id}, {@code arguments}, {@code decision}, {@code rules}, {@code reasons},
 *       {@code risk_score}, {@code approval_id}, {@code policy_version}, {@code model},
 *       {@code upstream_status}, {@code overhead_micros}, {@code decided_by}.</li>
 *   <li>Text columns, including {@code rules} and {@code reasons} (JSON array text): exactly the
 *       stored text.</li>
 *   <li>{@code event_time}: ISO-8601 in UTC with exactly six fractional digits,
 *       {@code 2025-06-01T12:00:00.250000Z} (the database keeps microseconds).</li>
 *   <li>{@code risk_score}: the exact decimal value of the stored double, plain notation, no
 *       trailing zeros: {@code 0.25}, {@code 1}, {@code 0} (also for -0.0), and 0.7 as
 *       {@code 0.6999999999999999555910790149937383830547332763671875}; Python:
 *       {@code format(Decimal(x), 'f')}. Non-finite values as {@code NaN}, {@code Infinity},
 *       {@code -Infinity}.</li>
 *   <li>{@code upstream_status}, {@code overhead_micros}: decimal integers.</li>
 * </ol>
 * For example an event starts {@code event_id=36:1b4e28ba-2fa1-11d2-883f-0016d3cca427\nevent_time=27:2025-06-01T12:00:00.000000Z\n}
 * and a NULL {@code tool_call_id} is the line {@code tool_call_id=-\n}. The database {@code id} is
 * not hashed: it is assigned at insert, and its order is what the chain's links check.
 *
 * <h2>What it proves</h2>
 * The chain has no secret key: it shows that rows were not edited, deleted or reordered by someone
 * who did not also recompute every later hash. Recording the newest hash outside the database
 * (a ticket, a log shipper) makes even a wholesale rewrite detectable.
 *
 * <p>Not thread-safe: each thread hashes with its own instance.
 */
final class AuditChain {
    /** {@code prev_hash} of the first event of every workspace's chain. */
    static final String GENESIS = "0".repeat(64);

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();
    private static final long FIRST_SECOND_OF_YEAR_10000 = LocalDateTime.of(10_000, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);

    private final MessageDigest sha256;
    private final CanonicalForm canonical = new CanonicalForm();
    private double lastScore;
    private String lastScoreText;

    AuditChain() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256, which every Java platform must provide", e);
        }
    }

    /** The hash of {@code event} linked after {@code prevHash}, as the writer stores it. */
    String hash(String prevHash, AuditEvent event) {
        return hash(prevHash, new String[] {
                event.eventId(),
                time(event.time()),
                event.workspace(),
                event.agent(),
                event.source(),
                event.tool(),
                event.toolCallId(),
                event.arguments(),
                event.decision(),
                JsonLists.write(event.rules()),
                JsonLists.write(event.reasons()),
                decimal(event.riskScore()),
                event.approvalId(),
                event.policyVersion(),
                event.model(),
                event.upstreamStatus() == null ? null : event.upstreamStatus().toString(),
                Long.toString(event.overheadMicros()),
                event.decidedBy()});
    }

    /**
     * The hash of the row at the result set's cursor linked after {@code prevHash}, from the stored
     * column values as they are (not as {@link AuditEventRows#map} would normalise them), so an edit
     * that changes only formatting is detected too.
     */
    String hash(String prevHash, ResultSet row) throws SQLException {
        int status = row.getInt("upstream_status");
        String upstreamStatus = row.wasNull() ? null : Integer.toString(status);
        Instant time = UtcTimestamps.read(row, "event_time");
        return hash(prevHash, new String[] {
                row.getString("event_id"),
                time == null ? null : time(time),
                row.getString("workspace"),
                row.getString("agent"),
                row.getString("source"),
                row.getString("tool"),
                row.getString("tool_call_id"),
                row.getString("arguments"),
                row.getString("decision"),
                row.getString("rules"),
                row.getString("reasons"),
                decimal(row.getDouble("risk_score")),
                row.getString("approval_id"),
                row.getString("policy_version"),
                row.getString("model"),
                upstreamStatus,
                Long.toString(row.getLong("overhead_micros")),
                row.getString("decided_by")});
    }

    /** The hash of the workspace's newest stored event: where its chain continues ({@link #GENESIS} if none). */
    static String head(Handle handle, String workspace) {
        return handle.createQuery("SELECT hash FROM audit_chain_heads WHERE workspace = :workspace")
                .bind("workspace", workspace)
                .mapTo(String.class)
                .findOne()
                .orElse(GENESIS);
    }

    /**
     * Moves each workspace's head to the last of {@code events} in it, in the transaction that
     * inserts them ({@code audit_chain_heads}, V9): the next writer links to it, even if the row
     * itself is later deleted.
     */
    static void advanceHeads(Handle handle, List<ChainedEvent> events) throws SQLException {
        Map<String, String> last = new LinkedHashMap<>();
        events.forEach(chained -> last.put(chained.event().workspace(), chained.hash()));
        Connection connection = handle.getConnection();
        try (PreparedStatement update = connection.prepareStatement("UPDATE audit_chain_heads SET hash = ? WHERE workspace = ?")) {
            for (Map.Entry<String, String> head : last.entrySet()) {
                update.setString(1, head.getValue());
                update.setString(2, head.getKey());
                if (update.executeUpdate() == 0) {
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO audit_chain_heads (workspace, hash) VALUES (?, ?)")) {
                        insert.setString(1, head.getKey());
                        insert.setString(2, head.getValue());
                        insert.executeUpdate();
                    }
                }
            }
        }
    }

    private static final String[] COLUMNS = {"event_id", "event_time", "workspace", "agent", "source", "tool",
            "tool_call_id", "arguments", "decision", "rules", "reasons", "risk_score", "approval_id", "policy_version",
            "model", "upstream_status", "overhead_micros", "decided_by"};
    /** Each column's {@code name=} in ASCII. */
    private static final byte[][] COLUMN_PREFIXES = Arrays.stream(COLUMNS)
            .map(column -> (column + "=").getBytes(StandardCharsets.US_ASCII))
            .toArray(byte[][]::new);

    private String hash(String prevHash, String[] values) {
        canonical.reset();
        canonical.writeBytes(prevHash.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < COLUMNS.length; i++) {
            canonical.writeBytes(COLUMN_PREFIXES[i]);
            if (values[i] == null) {
                canonical.write('-');
            } else {
                byte[] value = values[i].getBytes(StandardCharsets.UTF_8);
                writeDecimal(value.length);
                canonical.write(':');
                canonical.writeBytes(value);
            }
            canonical.write('\n');
        }
        // One digest update for the whole form instead of four or five per column, each with its own call overhead.
        sha256.update(canonical.buffer(), 0, canonical.size());
        return HEX.formatHex(sha256.digest());
    }

    private void writeDecimal(int value) {
        String digits = Integer.toString(value);
        for (int i = 0; i < digits.length(); i++) {
            canonical.write(digits.charAt(i));
        }
    }

    /**
     * As stored ({@link UtcTimestamps} keeps microseconds): {@code uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'},
     * written field by field for the years 1970 to 9999 (the formatter is a large share of the audit
     * writer's work), by the formatter otherwise. {@code AuditChainTest} compares the two.
     */
    static String time(Instant time) {
        long seconds = time.getEpochSecond();
        if (seconds < 0 || seconds >= FIRST_SECOND_OF_YEAR_10000) {
            return TIME.format(time.truncatedTo(ChronoUnit.MICROS));
        }
        LocalDateTime utc = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        char[] text = new char[27];
        digits(text, 0, utc.getYear(), 4);
        text[4] = '-';
        digits(text, 5, utc.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, utc.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, utc.getHour(), 2);
        text[13] = ':';
        digits(text, 14, utc.getMinute(), 2);
        text[16] = ':';
        digits(text, 17, utc.getSecond(), 2);
        text[19] = '.';
        digits(text, 20, time.getNano() / 1_000, 6);
        text[26] = 'Z';
        return new String(text);
    }

    private static void digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Risk scores take few values: the last one's text is kept (this instance is one thread's). */
    private String decimal(double value) {
        if (Double.doubleToRawLongBits(value) != Double.doubleToRawLongBits(lastScore) || lastScoreText == null) {
            lastScore = value;
            lastScoreText = exactDecimal(value);
        }
        return lastScoreText;
    }

    static String exactDecimal(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return new BigDecimal(value).stripTrailingZeros().toPlainString();
    }

    /** A {@link ByteArrayOutputStream} whose buffer is read in place instead of copied. */
    private static final class CanonicalForm extends ByteArrayOutputStream {
        CanonicalForm() {
            super(1024);
        }

        byte[] buffer() {
            return buf;
        }
    }
}
