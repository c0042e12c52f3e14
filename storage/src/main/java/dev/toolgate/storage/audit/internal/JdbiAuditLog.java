package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.AuditLogStats;
import dev.toolgate.storage.AuditPage;
import dev.toolgate.storage.AuditQuery;
import dev.toolgate.storage.ChainVerification;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link AuditLog} on the {@code audit_events} table: group-committed, hash-chained appends
 * ({@link AuditChain}), indexed newest-first reads. Appends are committed to the table, or for an
 * embedded database written to the audit journal and indexed behind it ({@link JournaledAuditSink});
 * reads first wait until every acknowledged append is in the table.
 */
public final class JdbiAuditLog implements AuditLog, AutoCloseable {
    /** Appends that may wait for the writer before new ones are refused. */
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    /** Events per transaction: large enough to amortise the commit, small enough to keep it short. */
    public static final int DEFAULT_MAX_BATCH_EVENTS = 500;
    /**
     * Journaled events that may wait to be indexed into the database before new appends are
     * refused: several seconds of the heaviest load, and at most a few tens of MB of heap.
     */
    static final int JOURNAL_BACKLOG_EVENTS = 20_000;

    private static final int MAX_EXPORT_BATCH = 10_000;
    /** Events read per query while verifying the hash chain. */
    private static final int VERIFY_BATCH = 1_000;

    private final Jdbi jdbi;
    private final AuditWriter writer;

    /**
     * Starts the writer thread. {@code jdbi} must come from {@code JdbiStorage.jdbi} so that
     * instants are stored the same way everywhere.
     */
    public JdbiAuditLog(Jdbi jdbi, int queueCapacity, int maxBatchEvents) {
        this(jdbi, queueCapacity, maxBatchEvents, Duration.ofNanos(AuditWriter.DEFAULT_COMMIT_TIMEOUT_NANOS));
    }

    /** As above; an append's future fails once {@code commitTimeout} passes without its commit. */
    public JdbiAuditLog(Jdbi jdbi, int queueCapacity, int maxBatchEvents, Duration commitTimeout) {
        this(jdbi, new DatabaseAuditSink(Objects.requireNonNull(jdbi, "jdbi")), queueCapacity, maxBatchEvents, commitTimeout);
    }

    /**
     * A log whose appends complete once written to the audit journal in {@code journalDirectory}
     * and are indexed into the table behind it; events an earlier run journaled but did not index are
     * put in the table first. {@code timeout} bounds how long the database may take to index and how
     * long reads wait for it. Indexed segments are deleted once the database acknowledges their
     * commit, so the database must have written a commit by then (embedded H2 with
     * {@code WRITE_DELAY=0} does; an H2 server with its default write delay does not). With
     * {@code sync} appends are forced to the disk before they complete, and segments are deleted
     * only after the database's pages are forced to the disk too.
     */
    public static JdbiAuditLog journaled(Jdbi jdbi, Path journalDirectory, Duration timeout, boolean sync) {
        return new JdbiAuditLog(jdbi, JournaledAuditSink.open(jdbi, journalDirectory, JOURNAL_BACKLOG_EVENTS, timeout.toNanos(), sync),
                DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_BATCH_EVENTS, timeout);
    }

    /** As above, with appends made durable by {@code sink} (the audit journal of an embedded database). */
    JdbiAuditLog(Jdbi jdbi, AuditSink sink, int queueCapacity, int maxBatchEvents, Duration commitTimeout) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.writer = AuditWriter.start(sink, queueCapacity, maxBatchEvents, commitTimeout.toNanos());
    }

    @Override
    public CompletableFuture<Void> append(List<AuditEvent> events) {
        return writer.append(events);
    }

    @Override
    public AuditLogStats stats() {
        return writer.stats();
    }

    @Override
    public AuditPage query(AuditQuery query) {
        writer.awaitReadable();
        AuditFilter filter = AuditFilter.of(query);
        return jdbi.inTransaction(handle -> {
            long total = handle.createQuery("SELECT COUNT(*) FROM audit_events WHERE " + filter.where())
                    .bindMap(filter.parameters())
                    .mapTo(Long.class)
                    .one();
            List<AuditEvent> events = handle.createQuery("SELECT " + AuditEventRows.COLUMNS + " FROM audit_events WHERE "
                            + filter.where() + " ORDER BY id DESC LIMIT :limit OFFSET :offset")
                    .bindMap(filter.parameters())
                    .bind("limit", query.limit())
                    .bind("offset", query.offset())
                    .map(AuditEventRows::map)
                    .list();
            return new AuditPage(events, total, query.page(), query.limit());
        });
    }

    @Override
    public List<AuditEvent> queryBefore(AuditQuery filters, long beforeId, int batchSize) {
        writer.awaitReadable();
        if (batchSize < 1 || batchSize > MAX_EXPORT_BATCH) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: 1.." + MAX_EXPORT_BATCH + ")");
        }
        AuditFilter filter = AuditFilter.of(filters);
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + AuditEventRows.COLUMNS + " FROM audit_events WHERE "
                        + filter.where() + " AND id < :beforeId ORDER BY id DESC LIMIT :limit")
                .bindMap(filter.parameters())
                .bind("beforeId", beforeId)
                .bind("limit", batchSize)
                .map(AuditEventRows::map)
                .list());
    }

    @Override
    public Map<String, Long> countByDecision(String workspace, Instant since) {
        writer.awaitReadable();
        AuditFilter filter = AuditFilter.of(AuditQuery.of(workspace).withSince(since));
        return jdbi.withHandle(handle -> handle.createQuery("SELECT decision, COUNT(*) AS events FROM audit_events WHERE "
                        + filter.where() + " GROUP BY decision ORDER BY decision")
                .bindMap(filter.parameters())
                .reduceRows(new LinkedHashMap<String, Long>(), (counts, row) -> {
                    counts.put(row.getColumn("decision", String.class), row.getColumn("events", Long.class));
                    return counts;
                }));
    }

    @Override
    public Optional<AuditEvent> findByEventId(String eventId) {
        writer.awaitReadable();
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + AuditEventRows.COLUMNS
                        + " FROM audit_events WHERE event_id = :eventId")
                .bind("eventId", eventId)
                .map(AuditEventRows::map)
                .findOne());
    }

    @Override
    public ChainVerification verifyChain(String workspace) {
        writer.awaitReadable();
        return new AuditChainVerifier(jdbi, VERIFY_BATCH).verify(workspace);
    }

    /** Commits the events still queued, then stops the writer thread. */
    @Override
    public void close() {
        writer.close();
    }
}
