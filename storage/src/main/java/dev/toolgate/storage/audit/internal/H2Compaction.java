package dev.toolgate.storage.audit.internal;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites mostly-dead chunks of an embedded H2 database, a little at a time.
 *
 * <p>H2 compacts in its background writer, which {@code WRITE_DELAY=0} (our kill -9 guarantee,
 * see {@code ConnectionPool.durableH2Url}) turns off. Without it every commit's chunk stays
 * referenced by the few pages still live in it: the file grows by each commit's size and H2 keeps
 * each chunk's bookkeeping on the heap, forever. Reaching the store goes through H2's engine
 * classes ({@link SessionLocal}), which are public but not a stable API: if the cast fails the
 * compaction logs once and stays off.
 */
final class H2Compaction {
    private static final Logger log = LoggerFactory.getLogger(H2Compaction.class);
    /** Chunks are rewritten while, on average, less than this percentage of them is live. */
    static final int TARGET_FILL_RATE = 60;
    /** Bytes rewritten per pass: small enough to hold H2's store lock for milliseconds, not seconds. */
    private static final int WRITE_BYTES_PER_PASS = 4 << 20;
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Jdbi jdbi;
    private final long intervalNanos;
    private long lastPass = System.nanoTime();
    private boolean unavailable;

    H2Compaction(Jdbi jdbi) {
        this(jdbi, INTERVAL_NANOS);
    }

    /** {@code intervalNanos}: the least time between two passes. */
    H2Compaction(Jdbi jdbi, long intervalNanos) {
        this.jdbi = jdbi;
        this.intervalNanos = intervalNanos;
    }

    /**
     * Runs a pass when the last was at least the interval ago; never throws. One thread only. A pass
     * rewrites the live pages of chunks older than H2's retention time (45 s by default) in memory;
     * the next commit stores them and the one after frees the chunks they left.
     */
    void maybeRun() {
        long now = System.nanoTime();
        if (unavailable || now - lastPass < intervalNanos) {
            return;
        }
        lastPass = now;
        try {
            jdbi.useHandle(handle -> {
                Object session = handle.getConnection().unwrap(JdbcConnection.class).getSession();
                if (session instanceof SessionLocal local) {
                    local.getDatabase().getStore().getMvStore().compact(TARGET_FILL_RATE, WRITE_BYTES_PER_PASS);
                } else {
                    unavailable = true;  // a database server compacts itself
                }
            });
        } catch (ClassCastException | LinkageError e) {
            unavailable = true;
            log.warn("Cannot reach the H2 store to compact it ({}); the database file grows until the next restart", e.toString());
        } catch (SQLException | RuntimeException e) {
            log.debug("H2 compaction pass failed (retried in a second): {}", e.toString());
        }
    }
}
