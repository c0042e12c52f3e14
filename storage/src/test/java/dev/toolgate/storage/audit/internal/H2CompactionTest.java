package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.internal.ConnectionPool;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded database opened as the gateway opens it ({@code WRITE_DELAY=0}: a chunk per commit),
 * after commits that each rewrite a few rows scattered over the table: most chunks then hold a few
 * live pages among dead ones, and H2 frees none of them by itself.
 */
class H2CompactionTest {
    private static final int ROWS = 2_000;

    @TempDir
    Path dir;

    private Jdbi jdbi;

    @BeforeEach
    void scatterLivePagesOverManyChunks() {
        jdbi = Jdbi.create(ConnectionPool.durableH2Url("jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_DELAY=-1"));
        jdbi.useHandle(handle -> {
            // H2 rewrites only chunks older than the retention time (45 s by default); the test cannot wait that long.
            handle.execute("SET RETENTION_TIME 0");
            handle.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR)");
        });
        jdbi.useTransaction(handle -> {
            for (int id = 0; id < ROWS; id++) {
                handle.execute("INSERT INTO t VALUES (?, ?)", id, "x".repeat(500));
            }
        });
        Random random = new Random(1);
        for (int commit = 0; commit < 400; commit++) {
            int first = random.nextInt(ROWS);
            int second = random.nextInt(ROWS);
            jdbi.useTransaction(handle -> handle.execute("UPDATE t SET v = v || 'y' WHERE id IN (?, ?)", first, second));
        }
    }

    @AfterEach
    void closeTheDatabase() throws SQLException {
        jdbi.<SQLException>useHandle(handle -> {
            try (Statement statement = handle.getConnection().createStatement()) {
                statement.execute("SHUTDOWN");
            }
        });
    }

    @Test
    void aPassRewritesTheLivePagesOfMostlyDeadChunksSoThatTheyAreFreed() {
        commitSomething();
        int chunksBefore = setting("info.CHUNK_COUNT");
        assertThat(setting("info.CHUNKS_FILL_RATE")).isLessThan(H2Compaction.TARGET_FILL_RATE);
        assertThat(chunksBefore).isGreaterThan(100);

        runThenCommit(new H2Compaction(jdbi, 0));

        assertThat(setting("info.CHUNKS_FILL_RATE")).isGreaterThanOrEqualTo(H2Compaction.TARGET_FILL_RATE);
        assertThat(setting("info.CHUNK_COUNT")).isLessThan(chunksBefore / 10);
        int rowsKept = jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM t WHERE LENGTH(v) >= 500")
                .mapTo(Integer.class).one());
        assertThat(rowsKept).isEqualTo(ROWS);
    }

    @Test
    void passesAreSpacedByTheInterval() {
        H2Compaction compaction = new H2Compaction(jdbi, TimeUnit.HOURS.toNanos(1));

        runThenCommit(compaction);

        assertThat(setting("info.CHUNKS_FILL_RATE")).isLessThan(H2Compaction.TARGET_FILL_RATE);
    }

    private void runThenCommit(H2Compaction compaction) {
        compaction.maybeRun();
        // Rewritten pages are stored at the next commit; the chunks they left are freed at the one after.
        commitSomething();
        commitSomething();
    }

    private void commitSomething() {
        jdbi.useTransaction(handle -> handle.execute("UPDATE t SET v = v WHERE id = 0"));
    }

    private int setting(String name) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = :name")
                .bind("name", name).mapTo(Integer.class).one());
    }
}
