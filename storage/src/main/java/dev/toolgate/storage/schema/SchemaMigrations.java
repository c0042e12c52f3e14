package dev.toolgate.storage.schema;

import dev.toolgate.storage.audit.internal.V6_1__Chain_audit_events_stored_before_the_chain;
import dev.toolgate.storage.internal.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database's schema to the newest version this build ships: the SQL scripts under
 * {@code db/common} and {@code db/<vendor>} and one Java step, in version order, each in its own
 * transaction and recorded in {@code flyway_schema_history}.
 *
 * <p>The history table, its rows and their checksums are Flyway's: databases earlier builds
 * migrated with Flyway carry on, and Flyway's validation accepts what is written here. Flyway itself
 * is not used because its set-up and its scans of the jar were the largest part of a start
 * (bench/README.md, Startup); the scripts are listed instead ({@code SchemaMigrationsTest} checks
 * the list against the folders). An applied script must never change: a changed checksum stops the
 * start. Concurrent starts wait for each other: on PostgreSQL behind an advisory lock, on embedded
 * H2 (one process) behind a lock in this JVM.
 */
public final class SchemaMigrations {
    private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);

    static final String HISTORY_TABLE = "flyway_schema_history";
    private static final List<String> COMMON_SCRIPTS = List.of(
            "V1__audit_events.sql", "V2__blocked_tools.sql", "V3__approvals.sql", "V4__settings.sql",
            "V5__approval_lifecycle_and_rules.sql", "V6__audit_hash_chain.sql", "V7__lean_audit_indexes.sql",
            "V9__audit_chain_heads.sql", "V10__shared_state.sql", "V11__judged_rules.sql", "V12__agent_breaker.sql",
            "V13__budgets.sql", "V14__standing_approvals.sql", "V15__deliveries_and_alerts.sql", "V16__incidents.sql",
            "V17__policy_versions.sql");
    private static final Map<Database, List<String>> VENDOR_SCRIPTS = Map.of(
            Database.H2, List.of("V8__audit_id_cache.sql"),
            Database.POSTGRESQL, List.of("V8__audit_ids_in_commit_order.sql"));
    /** PostgreSQL advisory lock held while migrating: "toolgate" in ASCII. */
    private static final long POSTGRESQL_LOCK_KEY = 0x746f6f6c67617465L;
    /** Embedded H2 databases live in this process: its starts wait for each other here. */
    private static final ReentrantLock EMBEDDED_LOCK = new ReentrantLock();

    private final Database database;
    private final List<Migration> migrations;

    private SchemaMigrations(Database database, List<Migration> migrations) {
        this.database = database;
        this.migrations = migrations;
    }

    /** The migrations for {@code database}, in version order. */
    public static SchemaMigrations of(Database database) {
        List<Migration> all = new ArrayList<>();
        COMMON_SCRIPTS.forEach(script -> all.add(sql("db/common/", script)));
        VENDOR_SCRIPTS.get(database).forEach(script -> all.add(sql("db/" + database.vendor() + "/", script)));
        all.add(java(V6_1__Chain_audit_events_stored_before_the_chain.class,
                connection -> new V6_1__Chain_audit_events_stored_before_the_chain().migrate(connection)));
        all.sort(Comparator.comparing(Migration::version, Migration::compareVersions));
        return new SchemaMigrations(database, List.copyOf(all));
    }

    /** The version the newest migration brings a database to. */
    public String newest() {
        return migrations.get(migrations.size() - 1).version();
    }

    List<Migration> migrations() {
        return migrations;
    }

    /** What {@link #migrate} found and did: the schema version now, and how many migrations it applied. */
    public record Outcome(String version, int applied) {
    }

    /**
     * Applies the migrations the database lacks. Throws, having applied none of the rest, when one
     * fails, when an applied script was changed since, or when the database's history does not fit
     * this build's migrations; a database newer than this build is left as it is.
     */
    public Outcome migrate(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            lock(connection);
            try {
                return migrate(connection);
            } finally {
                unlock(connection);
            }
        }
    }

    /** Whether {@code a} is at least version {@code b} ("6.1", "17"). */
    public static boolean isAtLeast(String a, String b) {
        return Migration.compareVersions(a, b) >= 0;
    }

    private Outcome migrate(Connection connection) throws SQLException {
        if (!historyExists(connection)) {
            if (schemaHasTables(connection)) {
                throw new SQLException("the database schema has tables but no " + HISTORY_TABLE
                        + " table: it is not a Toolgate database, or its history was removed");
            }
            createHistory(connection);
        }
        History history = History.read(connection);
        List<Migration> pending = pending(history);
        int rank = history.lastRank();
        String version = history.newestVersion();
        for (Migration migration : pending) {
            apply(connection, migration, ++rank);
            version = migration.version();
        }
        return new Outcome(version == null ? "0" : version, pending.size());
    }

    /** The known migrations newer than every applied one, after checking the history against them. */
    private List<Migration> pending(History history) throws SQLException {
        Map<String, Migration> known = new HashMap<>();
        migrations.forEach(migration -> known.put(migration.version(), migration));
        for (Applied applied : history.rows()) {
            if (!applied.success()) {
                throw new SQLException("migration V" + applied.version() + " (" + applied.description() + ") failed when it"
                        + " was last tried: repair the schema by hand or restore a backup, then delete its row from "
                        + HISTORY_TABLE);
            }
            Migration migration = known.get(applied.version());
            if (migration == null) {
                if (Migration.compareVersions(applied.version(), newest()) < 0) {
                    throw new SQLException("migration V" + applied.version() + " (" + applied.description()
                            + ") was applied to this database but is not one this build knows");
                }
                continue;  // a newer build's: the database is ahead of this build
            }
            if (!Objects.equals(migration.checksum(), applied.checksum())) {
                throw new SQLException("migration V" + applied.version() + " (" + applied.description() + ") was changed"
                        + " after it was applied: checksum " + migration.checksum() + " in this build, "
                        + applied.checksum() + " in " + HISTORY_TABLE);
            }
        }
        List<Migration> pending = new ArrayList<>();
        String newestApplied = history.newestVersion();
        for (Migration migration : migrations) {
            if (history.has(migration.version())) {
                continue;
            }
            if (newestApplied != null && Migration.compareVersions(migration.version(), newestApplied) < 0) {
                throw new SQLException("migration V" + migration.version() + " (" + migration.description()
                        + ") is older than V" + newestApplied + " but was never applied to this database");
            }
            pending.add(migration);
        }
        return pending;
    }

    private void apply(Connection connection, Migration migration, int rank) throws SQLException {
        long started = System.nanoTime();
        connection.setAutoCommit(false);
        try {
            migration.step().apply(connection);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO \"" + HISTORY_TABLE + "\""
                    + " (\"installed_rank\", \"version\", \"description\", \"type\", \"script\", \"checksum\", \"installed_by\","
                    + " \"execution_time\", \"success\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE)")) {
                insert.setInt(1, rank);
                insert.setString(2, migration.version());
                insert.setString(3, migration.description());
                insert.setString(4, migration.type());
                insert.setString(5, migration.script());
                insert.setObject(6, migration.checksum(), Types.INTEGER);
                insert.setString(7, String.valueOf(connection.getMetaData().getUserName()));
                insert.setInt(8, (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                insert.executeUpdate();
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw new SQLException("migration V" + migration.version() + " (" + migration.description() + ") failed: "
                    + e.getMessage(), e);
        } finally {
            connection.setAutoCommit(true);
        }
        log.debug("Schema migrated to V{} ({}) in {} ms", migration.version(), migration.description(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void lock(Connection connection) throws SQLException {
        if (database == Database.POSTGRESQL) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_lock(" + POSTGRESQL_LOCK_KEY + ")");
            }
        } else {
            EMBEDDED_LOCK.lock();
        }
    }

    /** Never throws: a failure to unlock must not hide why migrating failed (PostgreSQL unlocks as the session ends). */
    private void unlock(Connection connection) {
        if (database == Database.POSTGRESQL) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_unlock(" + POSTGRESQL_LOCK_KEY + ")");
            } catch (SQLException e) {
                log.warn("Could not release the schema migration lock: {}", e.getMessage());
            }
        } else {
            EMBEDDED_LOCK.unlock();
        }
    }

    private static boolean historyExists(Connection connection) throws SQLException {
        return count(connection, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                + " AND TABLE_NAME = '" + HISTORY_TABLE + "'") > 0;
    }

    private static boolean schemaHasTables(Connection connection) throws SQLException {
        return count(connection, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA") > 0;
    }

    private static long count(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Flyway's history table, as Flyway creates it on H2 and PostgreSQL. */
    private static void createHistory(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE \"" + HISTORY_TABLE + "\" ("
                    + "\"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL,"
                    + " \"type\" VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INT,"
                    + " \"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,"
                    + " \"execution_time\" INT NOT NULL, \"success\" BOOLEAN NOT NULL,"
                    + " CONSTRAINT \"" + HISTORY_TABLE + "_pk\" PRIMARY KEY (\"installed_rank\"))");
            statement.execute("CREATE INDEX \"" + HISTORY_TABLE + "_s_idx\" ON \"" + HISTORY_TABLE + "\" (\"success\")");
        }
    }

    private static Migration sql(String folder, String script) {
        String text = resource(folder + script);
        return new Migration(versionOf(script), descriptionOf(script.substring(0, script.length() - ".sql".length())),
                "SQL", script, checksum(text), connection -> {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute(text);
                    }
                });
    }

    private static Migration java(Class<?> type, Migration.Step step) {
        return new Migration(versionOf(type.getSimpleName()), descriptionOf(type.getSimpleName()), "JDBC", type.getName(),
                null, step);
    }

    /** {@code V6_1__x} is version 6.1. */
    private static String versionOf(String name) {
        return name.substring(1, name.indexOf("__")).replace('_', '.');
    }

    /** {@code V5__approval_lifecycle_and_rules} is "approval lifecycle and rules". */
    private static String descriptionOf(String name) {
        return name.substring(name.indexOf("__") + 2).replace('_', ' ');
    }

    private static String resource(String path) {
        try (InputStream in = SchemaMigrations.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + path, e);
        }
    }

    /** Flyway's checksum: CRC-32 of the script's lines in UTF-8, without line breaks or a byte-order mark. */
    static int checksum(String text) {
        CRC32 crc = new CRC32();
        String withoutMark = text.startsWith("\uFEFF") ? text.substring(1) : text;
        withoutMark.lines().forEach(line -> crc.update(line.getBytes(StandardCharsets.UTF_8)));
        return (int) crc.getValue();
    }

    private record Applied(int rank, String version, String description, Integer checksum, boolean success) {
    }

    /** The versioned rows of the history table. */
    private record History(List<Applied> rows, int lastRank) {
        static History read(Connection connection) throws SQLException {
            List<Applied> rows = new ArrayList<>();
            int lastRank = 0;
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT \"installed_rank\", \"version\", \"description\", \"checksum\","
                         + " \"success\" FROM \"" + HISTORY_TABLE + "\" ORDER BY \"installed_rank\"")) {
                while (rs.next()) {
                    int rank = rs.getInt(1);
                    lastRank = Math.max(lastRank, rank);
                    String version = rs.getString(2);
                    if (version != null) {
                        Integer checksum = rs.getObject(4) == null ? null : rs.getInt(4);
                        rows.add(new Applied(rank, version, rs.getString(3), checksum, rs.getBoolean(5)));
                    }
                }
            }
            return new History(rows, lastRank);
        }

        boolean has(String version) {
            return rows.stream().anyMatch(row -> row.success() && Migration.compareVersions(row.version(), version) == 0);
        }

        /** The newest version applied, null for none. */
        String newestVersion() {
            return rows.stream().filter(Applied::success).map(Applied::version)
                    .max(Migration::compareVersions).orElse(null);
        }
    }
}
