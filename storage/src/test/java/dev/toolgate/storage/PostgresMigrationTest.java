package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.jdbi.JdbiStorage;
import dev.toolgate.storage.testing.PostgresServer;
import dev.toolgate.storage.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The schema as the migrations leave it on a real PostgreSQL server: the common migrations and PostgreSQL's own. */
class PostgresMigrationTest {

    @Test
    void aFreshDatabaseGetsTheWholeSchemaAndOnlyPostgresqlsOwnVersion8() throws SQLException {
        PostgresServer postgres = TestDatabases.postgres();
        String url = postgres.freshDatabaseUrl();
        try (Storage storage = JdbiStorage.open(StorageSettings.of(url))) {
            storage.ping();
        }
        try (Storage reopened = JdbiStorage.open(StorageSettings.of(url))) {
            reopened.ping();
        }
        assertThat(strings(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
                .contains("agent_states", "approval_rules", "approval_tokens", "approvals", "audit_chain_heads", "audit_events",
                        "blocked_tools", "budget_scopes", "budget_spends", "delivery_targets", "alert_rules", "notification_outbox", "incidents",
                        "incident_entries", "policy_versions", "settings", "standing_approvals");
        assertThat(strings(url, "SELECT script FROM flyway_schema_history WHERE version = '8'"))
                .containsExactly("V8__audit_ids_in_commit_order.sql");
        assertThat(strings(url, "SELECT COUNT(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL"))
                .as("migrated once, not again on the second open").containsExactly("18");
        // Ids follow commit order across sessions only with no per-session block of sequence values.
        assertThat(strings(url, "SELECT cache_size FROM pg_sequences WHERE sequencename = 'audit_events_id_seq'"))
                .containsExactly("1");
    }

    @Test
    void instancesStartingTogetherMigrateAFreshDatabaseOnce() throws Exception {
        String url = TestDatabases.postgres().freshDatabaseUrl();
        ExecutorService starts = Executors.newFixedThreadPool(4);
        try {
            List<Future<Storage>> opening = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                opening.add(starts.submit(() -> JdbiStorage.open(StorageSettings.of(url))));
            }
            for (Future<Storage> storage : opening) {
                try (Storage opened = storage.get(60, TimeUnit.SECONDS)) {
                    assertThat(opened.schemaVersion().upToDate()).isTrue();
                }
            }
        } finally {
            starts.shutdownNow();
        }
        assertThat(strings(url, "SELECT COUNT(*) FROM flyway_schema_history")).containsExactly("18");
    }

    private static List<String> strings(String url, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url);
             ResultSet rs = connection.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
