package dev.toolgate.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.internal.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The schema migrations on embedded H2, and their history against Flyway's: earlier builds
 * migrated with Flyway 11, so a database it migrated must carry on, and Flyway must accept the
 * history written here.
 */
class SchemaMigrationsTest {
    private final JdbcDataSource dataSource = new JdbcDataSource();
    private final SchemaMigrations migrations = SchemaMigrations.of(Database.H2);

    SchemaMigrationsTest() {
        dataSource.setURL("jdbc:h2:mem:migrations-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    @Test
    void everyScriptInTheFoldersIsListedOnceForItsDatabase() throws IOException {
        for (Database database : Database.values()) {
            List<String> listed = SchemaMigrations.of(database).migrations().stream()
                    .filter(migration -> migration.type().equals("SQL"))
                    .map(Migration::script)
                    .toList();
            List<String> inFolders = new ArrayList<>(scripts("common"));
            inFolders.addAll(scripts(database.vendor()));
            assertThat(listed).as(database.name()).containsExactlyInAnyOrderElementsOf(inFolders);
        }
    }

    @Test
    void versionsAreOrderedAsNumbers() {
        assertThat(migrations.migrations()).extracting(Migration::version).startsWith("1", "2", "3", "4", "5", "6", "6.1", "7", "8", "9", "10");
        assertThat(migrations.newest()).isEqualTo("17");
        assertThat(SchemaMigrations.isAtLeast("17", "9")).isTrue();
        assertThat(SchemaMigrations.isAtLeast("6.1", "6")).isTrue();
        assertThat(SchemaMigrations.isAtLeast("6", "6.1")).isFalse();
    }

    @Test
    void aFreshDatabaseIsMigratedOnceAndThenLeftAlone() throws SQLException {
        assertThat(migrations.migrate(dataSource)).isEqualTo(new SchemaMigrations.Outcome("17", 18));
        assertThat(migrations.migrate(dataSource)).isEqualTo(new SchemaMigrations.Outcome("17", 0));
        assertThat(query("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"success\"")).containsExactly("18");
        assertThat(query("SELECT \"type\" || ' ' || \"script\" FROM \"flyway_schema_history\" WHERE \"version\" = '6.1'"))
                .containsExactly("JDBC dev.toolgate.storage.audit.internal.V6_1__Chain_audit_events_stored_before_the_chain");
    }

    @Test
    void aDatabaseFlywayMigratedCarriesOnWithTheSameChecksums() throws SQLException {
        flyway().target("9").load().migrate();

        assertThat(migrations.migrate(dataSource)).isEqualTo(new SchemaMigrations.Outcome("17", 8));
        assertThat(query("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"success\" AND \"version\" IS NOT NULL"))
                .containsExactly("18");
    }

    @Test
    void flywayValidatesTheHistoryWrittenHere() throws SQLException {
        migrations.migrate(dataSource);

        assertThat(flyway().load().validateWithResult().validationSuccessful).isTrue();
    }

    @Test
    void aScriptChangedAfterItWasAppliedStopsTheMigration() throws SQLException {
        migrations.migrate(dataSource);
        execute("UPDATE \"flyway_schema_history\" SET \"checksum\" = 42 WHERE \"version\" = '3'");

        assertThatThrownBy(() -> migrations.migrate(dataSource))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("V3 (approvals) was changed after it was applied");
    }

    @Test
    void aFailingMigrationIsRolledBackAndNotRecorded() throws SQLException {
        migrations.migrate(dataSource);
        // V17 again, on a schema that already has its table.
        execute("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '17'");

        assertThatThrownBy(() -> migrations.migrate(dataSource))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("migration V17 (policy versions) failed");
        assertThat(query("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '17'")).containsExactly("0");
    }

    @Test
    void aDatabaseANewerBuildMigratedIsLeftAsItIs() throws SQLException {
        migrations.migrate(dataSource);
        recordApplied("18", "later");

        assertThat(migrations.migrate(dataSource)).isEqualTo(new SchemaMigrations.Outcome("18", 0));
    }

    @Test
    void anAppliedVersionThisBuildDoesNotKnowStopsTheMigration() throws SQLException {
        migrations.migrate(dataSource);
        recordApplied("12.5", "stray");

        assertThatThrownBy(() -> migrations.migrate(dataSource))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("V12.5 (stray) was applied to this database but is not one this build knows");
    }

    @Test
    void aSchemaWithTablesButNoHistoryIsNotTouched() throws SQLException {
        execute("CREATE TABLE customers (id INT)");

        assertThatThrownBy(() -> migrations.migrate(dataSource))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("has tables but no flyway_schema_history table");
        assertThat(query("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")).containsExactly("1");
    }

    /** The checksum Flyway computes: CRC-32 over the lines without their breaks, a byte-order mark dropped. */
    @Test
    void checksumsIgnoreLineBreaksAndAByteOrderMark() {
        assertThat(SchemaMigrations.checksum("SELECT 1;\r\nSELECT 2;\n"))
                .isEqualTo(SchemaMigrations.checksum("\uFEFFSELECT 1;\nSELECT 2;"))
                .isNotEqualTo(SchemaMigrations.checksum("SELECT 1; SELECT 2;"));
    }

    private org.flywaydb.core.api.configuration.FluentConfiguration flyway() {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/common", "classpath:db/h2")
                .javaMigrations(new V6_1__Chain_audit_events_stored_before_the_chain());
    }

    /** The Java step as Flyway ran it in earlier builds: same version and description. */
    static final class V6_1__Chain_audit_events_stored_before_the_chain extends BaseJavaMigration {
        @Override
        public void migrate(Context context) throws SQLException {
            new dev.toolgate.storage.audit.internal.V6_1__Chain_audit_events_stored_before_the_chain()
                    .migrate(context.getConnection());
        }
    }

    private static List<String> scripts(String folder) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db", folder))) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".sql")).toList();
        }
    }

    /** A history row for a script this build does not have, as another build would have written it. */
    private void recordApplied(String version, String description) throws SQLException {
        execute("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\", \"script\","
                + " \"installed_by\", \"execution_time\", \"success\") VALUES (99, '" + version + "', '" + description + "', 'SQL',"
                + " 'V" + version.replace('.', '_') + "__" + description + ".sql', 'SA', 1, TRUE)");
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private List<String> query(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
