package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.internal.OutageLog;
import dev.toolgate.storage.internal.SqlErrors;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies journaled audit events into the database in large transactions, in journal order (so
 * {@code id} order stays chain order), and deletes journal segments once all their events are in.
 *
 * <p>A failed transaction is retried until it succeeds: the events are already durable in the
 * journal. A retry after a commit whose acknowledgement was lost meets its own rows (duplicate
 * event ids); those rows are then skipped one by one. While the backlog is full {@link #admit}
 * holds the writer back; while the database refuses events, or has not taken any for the stall
 * time while some wait, it tells the writer to fail new appends: the gateway fails closed instead
 * of piling up a journal nobody can query.
 */
final class AuditIndexer implements AutoCloseable {
    static final String THREAD_NAME = "toolgate-audit-indexer";

    private static final Logger log = LoggerFactory.getLogger(AuditIndexer.class);
    /** Events per transaction: one commit rewrites a few B-tree paths whether it holds 1 event or thousands. */
    private static final int MAX_BATCH_EVENTS = 5_000;
    /**
     * How long events gather before a commit when nobody is waiting to read them: an H2 commit
     * writes a new chunk whose bookkeeping stays in memory until compacted, so commits are kept to a
     * few a second however many calls are decided.
     */
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Rows inserted between yields of the CPU. A transaction of 100 ms of events holds a core for
     * milliseconds, and on a machine with few cores the threads of calls in flight would wait for it
     * (the tool-call p99). Yielding every few rows lets them run in between, in the same transaction.
     */
    private static final int ROWS_PER_SLICE = 32;
    private static final long IDLE_WAIT_MILLIS = 100;
    private static final long MAX_RETRY_PAUSE_MILLIS = 1_000;
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long CLOSE_TIMEOUT_MILLIS = 30_000;

    private record Pending(ChainedEvent event, long segment) {
    }

    private final Jdbi jdbi;
    private final AuditJournal journal;
    private final DatabaseSync databaseSync;
    /** Indexer thread only: segments below this one are deleted. */
    private long deletedBefore;
    /** Database housekeeping the indexer runs between batches (it owns the database's write load). */
    private final Runnable maintenance;
    private final int capacity;
    private final long stallNanos;
    private final Thread thread;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long submitted;
    private long indexed;
    private long lastProgressNanos;
    private boolean closing;
    private long closeRequestedNanos;
    /** Readers blocked in {@link #awaitIndexed}: the indexer commits at once instead of gathering. */
    private int readersWaiting;
    private long lastCommitNanos = System.nanoTime();

    /** The failure of the last attempt, null once one succeeds. */
    private volatile Throwable failure;
    /** Indexer thread only. */
    private final OutageLog outage = new OutageLog(FAILURE_LOG_INTERVAL_NANOS);

    private AuditIndexer(Jdbi jdbi, AuditJournal journal, DatabaseSync databaseSync, int capacity, long stallNanos) {
        this.jdbi = jdbi;
        this.journal = journal;
        this.databaseSync = databaseSync;
        this.maintenance = new H2Compaction(jdbi)::maybeRun;
        this.capacity = capacity;
        this.stallNanos = stallNanos;
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /**
     * {@code capacity}: events that may wait to be indexed before new appends are refused;
     * {@code stallNanos}: how long events may wait without any being indexed before they are.
     */
    static AuditIndexer start(Jdbi jdbi, AuditJournal journal, DatabaseSync databaseSync, int capacity, long stallNanos) {
        AuditIndexer indexer = new AuditIndexer(jdbi, journal, databaseSync, capacity, stallNanos);
        indexer.thread.start();
        return indexer;
    }

    /** Queues events just written to journal segment {@code segment}. */
    void submit(List<ChainedEvent> events, long segment) {
        synchronized (lock) {
            if (submitted == indexed) {
                lastProgressNanos = System.nanoTime();
            }
            boolean wasEmpty = queue.isEmpty();
            for (ChainedEvent event : events) {
                queue.add(new Pending(event, segment));
            }
            submitted += events.size();
            // The indexer needs waking only to start gathering or for a full batch: while it gathers it sleeps
            // until the gathering time is up. Waking it for every append, only for it to sleep again, was a
            // context switch per audited call (thousands a second) on cores the calls themselves need.
            if (wasEmpty || queue.size() >= MAX_BATCH_EVENTS) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Returns once {@code incoming} more events may be journaled, or why they must not be. While
     * the backlog is full it waits (this is the writer thread: every append behind it waits too, so
     * a busy gateway slows to the database's pace instead of failing calls), but no longer than the
     * stall time; while the database refuses events or has stalled it refuses at once.
     */
    StorageException admit(int incoming) {
        long deadline = System.nanoTime() + stallNanos;
        synchronized (lock) {
            while (true) {
                Throwable lastFailure = failure;
                if (lastFailure != null) {
                    return new StorageException("audit events cannot be indexed into the database ("
                            + SqlErrors.describe(lastFailure) + "); new events are refused until it takes them again",
                            lastFailure);
                }
                long waiting = submitted - indexed;
                long now = System.nanoTime();
                if (waiting > 0 && now - lastProgressNanos > stallNanos) {
                    return new StorageException("the database has not indexed any of " + waiting + " audit events for "
                            + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms: it is slow or not answering");
                }
                if (waiting + incoming <= capacity || waiting == 0) {
                    return null;
                }
                if (now - deadline >= 0) {
                    return new AuditQueueFullException(waiting + " journaled events waiting to be indexed");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, Math.min(deadline - now, TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MILLIS)));
                } catch (InterruptedException e) {
                    log.warn("Audit writer was interrupted while waiting for the index; ignoring it");
                }
            }
        }
    }

    /** Blocks until every event submitted before the call is in the database, at most {@code timeoutNanos}. */
    void awaitIndexed(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (lock) {
            long target = submitted;
            while (indexed < target) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new StorageException((target - indexed) + " audit events are written to the journal but not yet"
                            + " to the database after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                            + " ms: the database is slow or not answering");
                }
                readersWaiting++;
                lock.notifyAll();
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted while waiting for audit events to be indexed", e);
                } finally {
                    readersWaiting--;
                }
            }
        }
    }

    /** True when every submitted event is in the database. */
    boolean isCaughtUp() {
        synchronized (lock) {
            return indexed == submitted;
        }
    }

    /** Indexes what is queued (giving up after a while if the database refuses), then stops the thread. */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
            closeRequestedNanos = System.nanoTime();
            lock.notifyAll();
        }
        try {
            thread.join(CLOSE_TIMEOUT_MILLIS + MAX_RETRY_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            synchronized (lock) {
                if (queue.isEmpty() && closing) {
                    return;
                }
                if (queue.isEmpty() || shouldGather()) {
                    waitForWork(queue.isEmpty() ? TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MILLIS)
                            : lastCommitNanos + GATHER_NANOS - System.nanoTime());
                } else {
                    lastCommitNanos = System.nanoTime();
                    for (Pending next; batch.size() < MAX_BATCH_EVENTS && (next = queue.poll()) != null; ) {
                        batch.add(next);
                    }
                }
            }
            if (!batch.isEmpty()) {
                if (!index(batch)) {
                    int waiting;
                    synchronized (lock) {
                        waiting = batch.size() + queue.size();
                    }
                    log.warn("Audit indexer stopped with {} events not yet in the database; they stay in the journal in {}"
                            + " and are indexed at the next start", waiting, journal.directory());
                    return;
                }
                synchronized (lock) {
                    indexed += batch.size();
                    lastProgressNanos = System.nanoTime();
                    lock.notifyAll();
                }
                deleteIndexedSegments(batch.get(batch.size() - 1).segment());
                batch.clear();
            }
            maintenance.run();
        }
    }

    /** Deletes the segments before {@code segment} once the database's copy of their events is durable. */
    private void deleteIndexedSegments(long segment) {
        if (segment > deletedBefore && databaseSync.run()) {
            journal.deleteBefore(segment);
            deletedBefore = segment;
        }
    }

    /** Called holding the lock with events queued: wait for more unless someone needs them now. */
    private boolean shouldGather() {
        return !closing && readersWaiting == 0 && queue.size() < MAX_BATCH_EVENTS
                && System.nanoTime() - lastCommitNanos < GATHER_NANOS;
    }

    private void waitForWork(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, nanos);
        } catch (InterruptedException e) {
            log.warn("Audit indexer was interrupted; ignoring it (close the storage to stop it)");
        }
    }

    /** Inserts the batch, retrying until it succeeds; false only when closing and the close timeout passed. */
    private boolean index(List<Pending> batch) {
        List<ChainedEvent> events = new ArrayList<>(batch.size());
        batch.forEach(pending -> events.add(pending.event()));
        for (long attempt = 1; ; attempt++) {
            try {
                jdbi.useTransaction(handle -> insertYielding(handle, events));
                succeeded();
                return true;
            } catch (Throwable insertFailure) {
                if (SqlErrors.isIntegrityViolation(insertFailure)) {
                    // Some rows are already there (a retry after a lost commit acknowledgement) or refused.
                    indexOneByOne(events);
                    succeeded();
                    return true;
                }
                failed(events.size(), insertFailure);
                if (closeTimeoutPassed()) {
                    return false;
                }
                pause(Math.min(MAX_RETRY_PAUSE_MILLIS, 50 * attempt));
            }
        }
    }

    private boolean closeTimeoutPassed() {
        synchronized (lock) {
            return closing && System.nanoTime() - closeRequestedNanos > TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MILLIS);
        }
    }

    private static void insertYielding(Handle handle, List<ChainedEvent> events) throws SQLException {
        for (int from = 0; from < events.size(); from += ROWS_PER_SLICE) {
            AuditEventRows.insertAll(handle, events.subList(from, Math.min(events.size(), from + ROWS_PER_SLICE)));
            Thread.yield();
        }
        AuditChain.advanceHeads(handle, events);
    }

    private void indexOneByOne(List<ChainedEvent> events) {
        for (ChainedEvent event : events) {
            try {
                jdbi.useTransaction(handle -> {
                    AuditEventRows.insertAll(handle, List.of(event));
                    AuditChain.advanceHeads(handle, List.of(event));
                });
            } catch (Throwable refused) {
                if (SqlErrors.isDuplicateKey(refused)) {
                    log.debug("Audit event {} was already in the database", event.event().eventId());
                } else {
                    log.error("Audit event {} was refused by the database and is not indexed; the hash chain shows the"
                            + " gap at the event after it: {}", event.event().eventId(), SqlErrors.describe(refused));
                }
            }
        }
    }

    private void succeeded() {
        long failedAttempts = outage.recovered();
        if (failedAttempts > 0) {
            log.info("Audit events are indexed into the database again after {} failed attempts", failedAttempts);
        }
        failure = null;
    }

    private void failed(int events, Throwable cause) {
        failure = cause;
        if (outage.failed()) {
            log.error("Indexing {} journaled audit events into the database failed ({} attempts in a row); new tool calls"
                    + " fail closed until it succeeds. Check that the database is reachable: {}", events, outage.failures(),
                    SqlErrors.describe(cause));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            log.warn("Audit indexer was interrupted while waiting to retry; ignoring it");
        }
    }
}
