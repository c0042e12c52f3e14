package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The durable record of every decided tool call: group-committed appends, newest-first reads and a
 * per-workspace hash chain that makes edits, deletions and reordering detectable.
 */
public interface AuditLog extends AutoCloseable {

    /**
     * Queues events for the next group commit and returns at once. The future completes only after
     * these events are durable (the transaction holding them has committed or, for an embedded
     * database, they are written to its audit journal), so an allowed call may be released when
     * it completes. It completes exceptionally when the commit fails, when it has not happened
     * within the storage timeout ({@link StorageException}; the events stay queued), when the queue
     * is full (at once, without waiting) or when the log is closed.
     *
     * <p>Futures are completed on the audit writer thread: dependent stages must not block, so
     * chain with the {@code *Async} variants when the next step does I/O.
     */
    CompletableFuture<Void> append(List<AuditEvent> events);

    /** One page of events matching the query, newest first, with the total that match. Blocking. */
    AuditPage query(AuditQuery query);

    /**
     * Up to {@code batchSize} events matching the filters of {@code filters} (its limit and page are
     * ignored) whose id is below {@code beforeId}, newest first. Start with {@link Long#MAX_VALUE}
     * and pass the last id seen to walk every event once, as a CSV export does. Blocking.
     */
    List<AuditEvent> queryBefore(AuditQuery filters, long beforeId, int batchSize);

    /** Number of events per decision in a workspace, at or after {@code since} when not null. Blocking. */
    Map<String, Long> countByDecision(String workspace, Instant since);

    /** The event with this event id, in any workspace. Blocking. */
    Optional<AuditEvent> findByEventId(String eventId);

    /**
     * Recomputes the hash chain of {@code workspace} (each workspace has its own), or of every
     * workspace when null, in commit order and in bounded batches, up to the newest event stored when
     * the walk starts. Reports the first event whose contents no longer match its hash (edited) or
     * whose link does not match the event before it (an event deleted, inserted or moved). Removing
     * the newest events shows at the next event the running gateway records (it links to the removed
     * one); after a restart only a count or hash kept outside the database reveals it. The canonical
     * form is documented on {@code jdbi.AuditChain}. Blocking.
     */
    ChainVerification verifyChain(String workspace);

    /** The queue and commit figures, read without blocking. */
    default AuditLogStats stats() {
        return AuditLogStats.NONE;
    }

    /** Commits the events still queued, then stops taking appends. The storage that opened the log closes it. */
    @Override
    void close();
}
