package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.audit.internal.JdbiAuditLog;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The audit hash chain as an auditor sees it: tampering done directly in the database is found at the right event. */
class AuditHashChainTest {
    private static final String GENESIS = "0".repeat(64);
    /** Every stored column but the id, for copying one row's contents over another's. */
    private static final List<String> CONTENT_COLUMNS = List.of("event_id", "event_time", "workspace", "agent", "source",
            "tool", "tool_call_id", "arguments", "decision", "rules", "reasons", "risk_score", "approval_id",
            "policy_version", "model", "upstream_status", "overhead_micros", "decided_by", "prev_hash", "hash");

    private final String url = TestData.memUrl();
    private Storage storage;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(url));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    /** Appends events to "acme" one commit at a time; returns their event ids, oldest first. */
    private List<String> appendEvents(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AuditEvent event = TestData.event("acme", "read_file", "allowed", TestData.NOW.plusSeconds(i));
            storage.auditLog().append(List.of(event)).join();
            ids.add(event.eventId());
        }
        return ids;
    }

    private ChainVerification verify(String workspace) {
        return storage.auditLog().verifyChain(workspace);
    }

    private void execute(String sql, Object... parameters) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }

    private String column(String eventId, String column) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement select = connection.prepareStatement("SELECT " + column + " FROM audit_events WHERE event_id = ?")) {
            select.setString(1, eventId);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).as("event %s is stored", eventId).isTrue();
                return rs.getString(1);
            }
        }
    }

    @Test
    void anUntouchedLogVerifies() {
        assertThat(verify("acme")).isEqualTo(ChainVerification.intact(0));

        appendEvents(5);

        assertThat(verify("acme")).isEqualTo(ChainVerification.intact(5));
        assertThat(verify(null)).isEqualTo(ChainVerification.intact(5));
    }

    @Test
    void eachEventLinksToThePreviousOneStartingFromGenesis() throws SQLException {
        List<String> ids = appendEvents(3);

        assertThat(column(ids.get(0), "prev_hash")).isEqualTo(GENESIS);
        assertThat(column(ids.get(1), "prev_hash")).isEqualTo(column(ids.get(0), "hash"));
        assertThat(column(ids.get(2), "prev_hash")).isEqualTo(column(ids.get(1), "hash"));
        assertThat(column(ids.get(2), "hash")).matches("[0-9a-f]{64}");
    }

    @Test
    void anAuditorCanRecomputeAHashFromTheDocumentedCanonicalForm() throws Exception {
        AuditEvent event = new AuditEvent(0, "6f1c2a0e-0000-4000-8000-000000000001", Instant.parse("2025-06-01T12:00:00.123456789Z"),
                "acme", "support-bot", "review", "wire_transfer", null, "{\"amount\":5000,\"memo\":\"línea 1\\nline=2\"}",
                "approved", List.of("big-transfers"), List.of("approved by finance@example.com"), 0.7, "appr-1", "v7",
                "", null, 0, "finance@example.com");
        storage.auditLog().append(List.of(event)).join();

        // Written from the documentation in AuditChain, not from its code.
        String canonical = line("event_id", "6f1c2a0e-0000-4000-8000-000000000001")
                + line("event_time", "2025-06-01T12:00:00.123456Z")
                + line("workspace", "acme")
                + line("agent", "support-bot")
                + line("source", "review")
                + line("tool", "wire_transfer")
                + line("tool_call_id", null)
                + line("arguments", "{\"amount\":5000,\"memo\":\"línea 1\\nline=2\"}")
                + line("decision", "approved")
                + line("rules", "[\"big-transfers\"]")
                + line("reasons", "[\"approved by finance@example.com\"]")
                + line("risk_score", "0.6999999999999999555910790149937383830547332763671875")
                + line("approval_id", "appr-1")
                + line("policy_version", "v7")
                + line("model", "")
                + line("upstream_status", null)
                + line("overhead_micros", "0")
                + line("decided_by", "finance@example.com");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest((GENESIS + canonical).getBytes(StandardCharsets.UTF_8));

        assertThat(column(event.eventId(), "hash")).isEqualTo(HexFormat.of().formatHex(digest));
    }

    @Test
    void theChainContinuesFromTheLastStoredHashAfterCloseAndReopen() throws SQLException {
        List<String> before = appendEvents(3);
        storage.close();

        storage = JdbiStorage.open(StorageSettings.of(url));
        List<String> after = appendEvents(2);

        assertThat(column(after.get(0), "prev_hash")).isEqualTo(column(before.get(2), "hash"));
        assertThat(verify("acme")).isEqualTo(ChainVerification.intact(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "arguments = '{\"path\":\"/etc/shadow\"}'",
            "decided_by = 'mallory@example.com'",
            "decision = 'blocked'",
            "event_time = event_time + INTERVAL '1' SECOND",
            "risk_score = 0.0",
            "rules = '[ \"rule-1\" ]'",
            "tool_call_id = NULL",
            "hash = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'"})
    void anEditedEventIsReportedAtThatEvent(String edit) throws SQLException {
        List<String> ids = appendEvents(5);

        execute("UPDATE audit_events SET " + edit + " WHERE event_id = ?", ids.get(2));

        ChainVerification result = verify("acme");
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBrokenEventId()).isEqualTo(ids.get(2));
        assertThat(result.events()).isEqualTo(2);
        assertThat(result.reason()).contains("modified");
    }

    @Test
    void aDeletedEventIsReportedAtTheEventAfterIt() throws SQLException {
        List<String> ids = appendEvents(5);

        execute("DELETE FROM audit_events WHERE event_id = ?", ids.get(2));

        ChainVerification result = verify("acme");
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBrokenEventId()).isEqualTo(ids.get(3));
        assertThat(result.events()).isEqualTo(2);
        assertThat(result.reason()).contains("deleted");
    }

    @Test
    void deletingTheFirstEventIsReportedAtTheSecond() throws SQLException {
        List<String> ids = appendEvents(3);

        execute("DELETE FROM audit_events WHERE event_id = ?", ids.get(0));

        ChainVerification result = verify("acme");
        assertThat(result.firstBrokenEventId()).isEqualTo(ids.get(1));
        assertThat(result.events()).isZero();
        assertThat(result.reason()).contains("deleted");
    }

    @Test
    void deletingTheNewestEventIsReportedAtTheNextOneRecorded() throws SQLException {
        List<String> ids = appendEvents(3);
        execute("DELETE FROM audit_events WHERE event_id = ?", ids.get(2));

        String next = appendEvents(1).get(0);

        ChainVerification result = verify("acme");
        assertThat(result.firstBrokenEventId()).isEqualTo(next);
        assertThat(result.events()).isEqualTo(2);
    }

    @Test
    void swappedEventsAreReportedAtTheFirstEventOutOfPlace() throws SQLException {
        List<String> ids = appendEvents(5);

        swapContents(ids.get(1), ids.get(3));

        ChainVerification result = verify("acme");
        assertThat(result.valid()).isFalse();
        // The row where the second event was now holds the fourth, linked to the third.
        assertThat(result.firstBrokenEventId()).isEqualTo(ids.get(3));
        assertThat(result.events()).isEqualTo(1);
        assertThat(result.reason()).contains("reordered");
    }

    @Test
    void eachWorkspaceHasItsOwnChain() throws SQLException {
        List<String> acme = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AuditEvent a = TestData.event("acme", "read_file", "allowed");
            AuditEvent o = TestData.event("other", "read_file", "allowed");
            storage.auditLog().append(List.of(a, o)).join();
            acme.add(a.eventId());
            other.add(o.eventId());
        }
        assertThat(column(other.get(0), "prev_hash")).isEqualTo(GENESIS);
        assertThat(column(acme.get(1), "prev_hash")).isEqualTo(column(acme.get(0), "hash"));

        execute("UPDATE audit_events SET arguments = '{}' WHERE event_id = ?", other.get(1));

        assertThat(verify("acme")).isEqualTo(ChainVerification.intact(3));
        assertThat(verify("other").firstBrokenEventId()).isEqualTo(other.get(1));
        assertThat(verify(null).firstBrokenEventId()).isEqualTo(other.get(1));
        assertThat(verify(null).events()).isEqualTo(3);  // acme's first two and other's first, in id order
        assertThat(verify("nobody")).isEqualTo(ChainVerification.intact(0));
    }

    @Test
    void concurrentAppendsFromEightThreadsFormOneValidChainPerWorkspace() throws Exception {
        int threads = 8;
        int perThread = 200;
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String workspace = t % 2 == 0 ? "acme" : "other";
                submitted.add(callers.submit(() -> {
                    List<CompletableFuture<Void>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        futures.add(storage.auditLog().append(List.of(TestData.event(workspace, "read_file", "allowed"))));
                    }
                    return futures;
                }));
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> f : submitted) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            callers.shutdownNow();
        }

        assertThat(verify("acme")).isEqualTo(ChainVerification.intact(threads / 2 * perThread));
        assertThat(verify("other")).isEqualTo(ChainVerification.intact(threads / 2 * perThread));
        assertThat(verify(null)).isEqualTo(ChainVerification.intact(threads * perThread));
    }

    @Test
    void aRefusedAppendDoesNotAdvanceTheChain() {
        AuditEvent first = TestData.event("acme", "read_file", "allowed");
        storage.auditLog().append(List.of(first)).join();
        AuditEvent duplicate = TestData.withEventId(TestData.event("acme", "delete_file", "blocked"), first.eventId());
        assertThatThrownBy(() -> storage.auditLog().append(List.of(TestData.event("acme", "a", "allowed"), duplicate)).join())
                .hasCauseInstanceOf(StorageException.class);

        storage.auditLog().append(List.of(TestData.event("acme", "read_file", "allowed"))).join();

        assertThat(verify("acme")).isEqualTo(ChainVerification.intact(2));
    }

    @Test
    void aBadAppendInAGroupCommitDoesNotBreakTheChain() throws Exception {
        GatedDataSource dataSource = new GatedDataSource(url);
        try (JdbiAuditLog log = new JdbiAuditLog(JdbiStorage.jdbi(dataSource), 100, 500)) {
            AuditEvent existing = TestData.event("acme", "read_file", "allowed");
            log.append(List.of(existing)).join();

            // Hold the writer inside one transaction while a bad append queues up between two good ones.
            dataSource.hold();
            CompletableFuture<Void> holding = log.append(List.of(TestData.event("acme", "read_file", "allowed")));
            dataSource.awaitWaiter();
            CompletableFuture<Void> good1 = log.append(List.of(TestData.event("acme", "read_file", "allowed")));
            CompletableFuture<Void> bad = log.append(List.of(TestData.event("other", "x", "allowed"),
                    TestData.withEventId(TestData.event("acme", "x", "blocked"), existing.eventId())));
            CompletableFuture<Void> good2 = log.append(List.of(TestData.event("other", "list_files", "warned")));
            dataSource.open();
            CompletableFuture.allOf(holding, good1, good2).get(10, TimeUnit.SECONDS);
            assertThatThrownBy(bad::join).hasCauseInstanceOf(StorageException.class);

            log.append(List.of(TestData.event("acme", "read_file", "allowed"), TestData.event("other", "a", "allowed")))
                    .get(10, TimeUnit.SECONDS);

            assertThat(log.verifyChain("acme")).isEqualTo(ChainVerification.intact(4));
            assertThat(log.verifyChain("other")).isEqualTo(ChainVerification.intact(2));
        }
    }

    @Test
    void anUnreachableDatabaseDoesNotBreakTheChain() throws Exception {
        GatedDataSource dataSource = new GatedDataSource(url);
        try (JdbiAuditLog log = new JdbiAuditLog(JdbiStorage.jdbi(dataSource), 100, 500)) {
            log.append(List.of(TestData.event("acme", "read_file", "allowed"))).get(10, TimeUnit.SECONDS);
            dataSource.refuseConnections(true);
            CompletableFuture<Void> failed = log.append(List.of(TestData.event("acme", "read_file", "allowed")));
            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
            dataSource.refuseConnections(false);

            log.append(List.of(TestData.event("acme", "read_file", "allowed"))).get(10, TimeUnit.SECONDS);

            assertThat(log.verifyChain("acme")).isEqualTo(ChainVerification.intact(2));
        }
    }

    @Test
    void eventsStoredBeforeTheChainExistedAreLinkedByTheMigration() throws SQLException {
        String legacyUrl = TestData.memUrl();
        Flyway.configure().dataSource(legacyUrl, "", "").locations("classpath:db/common", "classpath:db/h2").target("5").load().migrate();
        List<String> legacy = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(legacyUrl)) {
            for (String workspace : List.of("acme", "other", "acme")) {
                String eventId = UUID.randomUUID().toString();
                legacy.add(eventId);
                connection.createStatement().execute("INSERT INTO audit_events (event_id, event_time, workspace, agent,"
                        + " source, tool, arguments, decision, rules, reasons, risk_score, policy_version, overhead_micros)"
                        + " VALUES ('" + eventId + "', TIMESTAMP WITH TIME ZONE '2025-06-01 12:00:00+00', '" + workspace
                        + "', 'bot', 'proxy', 'read_file', '{}', 'allowed', '[]', '[]', 0.1, 'v1', 5)");
            }
        }

        try (Storage upgraded = JdbiStorage.open(StorageSettings.of(legacyUrl))) {
            assertThat(upgraded.auditLog().verifyChain("acme")).isEqualTo(ChainVerification.intact(2));
            assertThat(upgraded.auditLog().verifyChain("other")).isEqualTo(ChainVerification.intact(1));

            AuditEvent next = TestData.event("acme", "read_file", "allowed");
            upgraded.auditLog().append(List.of(next)).join();
            assertThat(upgraded.auditLog().verifyChain("acme")).isEqualTo(ChainVerification.intact(3));
        }
        try (Connection connection = DriverManager.getConnection(legacyUrl);
             Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("UPDATE audit_events SET hash = NULL WHERE event_id = '" + legacy.get(0) + "'"))
                    .isInstanceOf(SQLException.class);
        }
    }

    /** Exchanges every stored column (hashes included) of two rows, as if the rows had been reordered. */
    private void swapContents(String firstEventId, String secondEventId) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            List<Object> first = contents(connection, firstEventId);
            List<Object> second = contents(connection, secondEventId);
            // event_id is unique: park the first row under a temporary id while the second takes its contents.
            overwrite(connection, firstEventId, withEventId(second, "swapping"));
            overwrite(connection, secondEventId, first);
            overwrite(connection, "swapping", second);
            connection.commit();
        }
    }

    private static List<Object> withEventId(List<Object> contents, String eventId) {
        List<Object> changed = new ArrayList<>(contents);
        changed.set(0, eventId);
        return changed;
    }

    private static List<Object> contents(Connection connection, String eventId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + String.join(", ", CONTENT_COLUMNS) + " FROM audit_events WHERE event_id = ?")) {
            select.setString(1, eventId);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                List<Object> values = new ArrayList<>();
                for (int i = 1; i <= CONTENT_COLUMNS.size(); i++) {
                    values.add(rs.getObject(i));
                }
                return values;
            }
        }
    }

    private static void overwrite(Connection connection, String eventId, List<Object> contents) throws SQLException {
        String assignments = String.join(", ", CONTENT_COLUMNS.stream().map(c -> c + " = ?").toList());
        try (PreparedStatement update = connection.prepareStatement("UPDATE audit_events SET " + assignments + " WHERE event_id = ?")) {
            for (int i = 0; i < contents.size(); i++) {
                update.setObject(i + 1, contents.get(i));
            }
            update.setString(contents.size() + 1, eventId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    /** One line of the canonical event: name, then "-" for NULL or the UTF-8 length, ":" and the value. */
    private static String line(String column, String value) {
        return column + "=" + (value == null ? "-" : value.getBytes(StandardCharsets.UTF_8).length + ":" + value) + "\n";
    }
}
