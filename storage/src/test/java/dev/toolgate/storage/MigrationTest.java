package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTest {
    private static final List<String> TABLES =
            List.of("agent_states", "alert_rules", "approval_rules", "approval_tokens", "approvals", "audit_chain_heads",
                    "audit_events", "blocked_tools", "budget_scopes", "budget_spends", "change_versions", "delivery_targets",
                    "idempotency_keys", "incident_entries", "incidents", "notification_outbox", "policy_versions", "settings",
                    "standing_approvals");

    @Test
    void freshInMemoryDatabaseGetsTheWholeSchema() throws SQLException {
        String url = TestData.memUrl();
        try (Storage storage = JdbiStorage.open(StorageSettings.of(url))) {
            storage.ping();
            assertThat(tables(url)).containsAll(TABLES);
            assertThat(appliedMigrations(url)).isEqualTo(18);
        }
    }

    @Test
    void auditEventsKeepOnlyTheIndexesEveryAppendCanAfford() throws SQLException {
        String url = TestData.memUrl();
        try (Storage storage = JdbiStorage.open(StorageSettings.of(url));
             Connection connection = DriverManager.getConnection(url);
             ResultSet rs = connection.createStatement().executeQuery("SELECT LOWER(INDEX_NAME) FROM INFORMATION_SCHEMA.INDEXES"
                     + " WHERE TABLE_NAME = 'AUDIT_EVENTS' AND INDEX_TYPE_NAME = 'INDEX' ORDER BY 1")) {
            List<String> indexes = new ArrayList<>();
            while (rs.next()) {
                indexes.add(rs.getString(1));
            }
            // Besides the primary key and the unique event id.
            assertThat(indexes).containsExactly("audit_events_workspace_id", "audit_events_workspace_time");
        }
    }

    @Test
    void auditEventIdsAreReservedAThousandAtATime() throws SQLException {
        String url = TestData.memUrl();
        try (Storage storage = JdbiStorage.open(StorageSettings.of(url));
             Connection connection = DriverManager.getConnection(url);
             ResultSet rs = connection.createStatement().executeQuery("SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS"
                     + " WHERE TABLE_NAME = 'AUDIT_EVENTS' AND COLUMN_NAME = 'ID'")) {
            assertThat(rs.next()).isTrue();
            // Each reservation is a write of the schema: one per 32 events by default (V8).
            assertThat(rs.getLong(1)).isEqualTo(1_000);
        }
    }

    @Test
    void fileDatabaseIsCreatedAndMigratedOnlyOnce(@TempDir Path dir) throws SQLException {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        JdbiStorage.open(StorageSettings.of(url)).close();
        try (Storage reopened = JdbiStorage.open(StorageSettings.of(url))) {
            reopened.ping();
        }
        assertThat(dir.resolve("toolgate.mv.db")).exists();
        assertThat(tables(url)).containsAll(TABLES);
        assertThat(appliedMigrations(url)).isEqualTo(18);
    }

    @Test
    void linksStoredBeforeChannelsExistedBecomeEmailLinks() throws SQLException {
        String url = TestData.memUrl();
        Flyway.configure().dataSource(url, "", "").locations("classpath:db/common").target("4").load().migrate();
        PendingApproval approval = TestData.approval("acme", "digest-1");
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.createStatement().execute("INSERT INTO approvals (id, workspace, agent, tool, arguments,"
                    + " arguments_digest, policy_version, status, created_at, expires_at) VALUES ('" + approval.id()
                    + "', 'acme', 'bot', 'wire_transfer', '{}', 'digest-1', 'v1', 'pending',"
                    + " TIMESTAMP WITH TIME ZONE '2025-06-01 12:00:00+00', TIMESTAMP WITH TIME ZONE '2025-06-02 12:00:00+00')");
            connection.createStatement().execute("INSERT INTO approval_tokens (token_hash, approval_id, action, expires_at)"
                    + " VALUES ('hash-1', '" + approval.id() + "', 'approve', TIMESTAMP WITH TIME ZONE '2025-06-02 12:00:00+00')");
        }

        try (Storage storage = JdbiStorage.open(StorageSettings.of(url), TestData.FIXED_CLOCK)) {
            assertThat(storage.approvals().findToken("hash-1")).contains(new ApprovalToken("hash-1", approval.id(), "approve",
                    "email", Instant.parse("2025-06-02T12:00:00Z"), null));
            assertThat(storage.approvals().consumedAt("acme", approval.id())).isEmpty();
        }
        assertThat(appliedMigrations(url)).isEqualTo(18);
    }

    @Test
    void unreachableDatabaseFailsWithTheUrlAndNoPassword() {
        StorageSettings settings = new StorageSettings("jdbc:nosuchdriver://db.example.com/toolgate", "toolgate", "s3cret");
        assertThatThrownBy(() -> JdbiStorage.open(settings))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("jdbc:nosuchdriver://db.example.com/toolgate")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void settingsNeverPrintThePassword() {
        assertThat(new StorageSettings("jdbc:h2:mem:x;CIPHER=AES", "sa", "s3cret").toString())
                .doesNotContain("s3cret")
                .doesNotContain("CIPHER")
                .contains("jdbc:h2:mem:x");
        assertThatThrownBy(() -> StorageSettings.of(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storage.url");
    }

    private static List<String> tables(String url) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url);
             ResultSet rs = connection.createStatement().executeQuery(
                     "SELECT LOWER(TABLE_NAME) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static int appliedMigrations(String url) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             ResultSet rs = connection.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"success\" AND \"version\" IS NOT NULL")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
