package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLogStats;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.internal.OutageLog;
import dev.toolgate.storage.internal.SqlErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the audit log: one thread takes every append waiting in a bounded queue and
 * makes them durable together through its {@link AuditSink} (one database transaction, or one write
 * to the audit journal), then completes their futures. Callers never wait for the queue; they wait
 * only for the write that holds their events.
 *
 * <p>The sink links each batch into the workspaces' hash chains ({@link AuditChain}) as it writes
 * it, on this one thread, so chain order is write order and id order.
 *
 * <p>A caller waits at most the commit timeout: when the database hangs, its future fails then
 * (and its tool calls stay held) while the append stays queued and is written, late, once the
 * database answers again. A failed write fails only its own appends; the writer goes on with
 * the next batch, so it recovers by itself when the database comes back.
 */
final class AuditWriter implements AutoCloseable {
    static final String THREAD_NAME = "toolgate-audit-writer";

    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    // The writer is never interrupted (H2 closes its files on interrupt): close() unparks it, and it wakes this often anyway.
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long CLOSE_TIMEOUT_MILLIS = 30_000;
    private static final long BACKLOG_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Used when none is given: long enough for a busy database, short enough that an agent gets its 503. */
    static final long DEFAULT_COMMIT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AuditSink sink;
    /**
     * Appends waiting for the writer. Lock-free: with a locked queue (and a lock around each offer)
     * the event loops would queue behind each other and behind the writer's drain, futex calls on
     * every audited request. {@link #queued} bounds it.
     */
    private final ConcurrentLinkedQueue<Append> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Set by the writer before it parks: an append made while it is set wakes the writer. */
    private volatile boolean writerParked;
    private final int capacity;
    private final int maxBatchEvents;
    private final Thread thread;
    private final AppendDeadlines deadlines;
    private volatile boolean closed;
    private volatile long lastBacklogWarning = System.nanoTime() - BACKLOG_WARNING_INTERVAL_NANOS;
    /** Written by the writer thread only; read by metrics. */
    private volatile long commits;
    private volatile long commitNanos;
    /** Writer thread only. */
    private final OutageLog outage = new OutageLog(FAILURE_LOG_INTERVAL_NANOS);

    /** Events of one append call; they commit or fail together. */
    private record Append(List<AuditEvent> events, CompletableFuture<Void> done) {
    }

    private AuditWriter(AuditSink sink, int capacity, int maxBatchEvents, long commitTimeoutNanos) {
        this.sink = sink;
        this.capacity = capacity;
        this.maxBatchEvents = maxBatchEvents;
        this.deadlines = new AppendDeadlines(commitTimeoutNanos, () -> new StorageException("audit events were not committed"
                + " within " + TimeUnit.NANOSECONDS.toMillis(commitTimeoutNanos) + " ms: the database is slow or not answering;"
                + " the events stay queued and the calls stay held"));
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /** {@code commitTimeoutNanos}: how long a caller's future waits for the commit before it fails. */
    static AuditWriter start(AuditSink sink, int capacity, int maxBatchEvents, long commitTimeoutNanos) {
        if (commitTimeoutNanos <= 0) {
            throw new IllegalArgumentException("audit commit timeout: " + commitTimeoutNanos + " ns (expected: a positive duration)");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("audit queue capacity: " + capacity + " (expected: 1 or more)");
        }
        if (maxBatchEvents < 1) {
            throw new IllegalArgumentException("audit batch size: " + maxBatchEvents + " (expected: 1 or more)");
        }
        AuditWriter writer = new AuditWriter(sink, capacity, maxBatchEvents, commitTimeoutNanos);
        writer.thread.start();
        return writer;
    }

    AuditLogStats stats() {
        return new AuditLogStats(Math.max(0, queued.get()), commits, commitNanos);
    }

    CompletableFuture<Void> append(List<AuditEvent> events) {
        List<AuditEvent> copy = List.copyOf(events);
        if (copy.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (closed) {
            return closedFailure();
        }
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            warnBacklog();
            return CompletableFuture.failedFuture(new AuditQueueFullException(capacity));
        }
        Append append = new Append(copy, new CompletableFuture<>());
        queue.offer(append);
        // close() may have come between the check above and the offer, and the writer's final drain
        // may be over: take the append back. If it is gone, the writer or close() took it and completes it.
        if (closed && queue.remove(append)) {
            queued.decrementAndGet();
            return closedFailure();
        }
        if (writerParked) {
            LockSupport.unpark(thread);
        }
        return withDeadline(append.done());
    }

    private static CompletableFuture<Void> closedFailure() {
        return CompletableFuture.failedFuture(new StorageException("the audit log is closed; the event was not recorded"));
    }

    /** The caller's view of an append: it fails once the commit timeout passes without a commit. */
    private CompletableFuture<Void> withDeadline(CompletableFuture<Void> done) {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        done.whenComplete((committed, failure) -> {
            if (failure == null) {
                seen.complete(null);
            } else {
                seen.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            }
        });
        deadlines.watch(seen);
        return seen;
    }

    /** Commits everything still queued, then stops the thread. Appends after this fail at once. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            awaitDrain();
        }
        failLeftovers();
        deadlines.close();
        sink.close();
    }

    /** Blocks until every completed append can be read back from the database (see {@link AuditSink#awaitReadable}). */
    void awaitReadable() {
        sink.awaitReadable();
    }

    private void awaitDrain() {
        try {
            thread.join(CLOSE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("Audit writer did not finish within {} ms of shutdown; {} queued appends are failed unrecorded."
                    + " Check that the database is reachable.", CLOSE_TIMEOUT_MILLIS, queued.get());
        }
    }

    private void failLeftovers() {
        for (Append append; (append = poll()) != null; ) {
            append.done().completeExceptionally(new StorageException("the audit log closed before the event was committed"));
        }
    }

    private void run() {
        List<Append> batch = new ArrayList<>();
        Append carried = null;
        while (true) {
            Append first = carried != null ? carried : take();
            carried = null;
            if (first == null) {
                if (closed && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            batch.add(first);
            int events = first.events().size();
            for (Append next; events < maxBatchEvents && (next = poll()) != null; ) {
                if (events + next.events().size() > maxBatchEvents) {
                    carried = next;  // starts the next transaction, so an append is never split
                    break;
                }
                batch.add(next);
                events += next.events().size();
            }
            commit(batch, events);
            batch.clear();
        }
    }

    private Append poll() {
        Append next = queue.poll();
        if (next != null) {
            queued.decrementAndGet();
        }
        return next;
    }

    /** The next append, waiting for one at most the idle poll time (null then, or when woken for close). */
    private Append take() {
        Append next = poll();
        if (next != null) {
            return next;
        }
        // Parked is set before the queue is looked at again: an append offered after that look sees it and wakes us.
        writerParked = true;
        try {
            next = poll();
            if (next == null) {
                LockSupport.parkNanos(this, IDLE_POLL_NANOS);
                if (Thread.interrupted()) {
                    // Left set, the flag would make every park return at once: a spinning writer.
                    log.warn("Audit writer was interrupted; ignoring it (close the storage to stop the writer)");
                }
                next = poll();
            }
        } finally {
            writerParked = false;
        }
        return next;
    }

    private void commit(List<Append> batch, int eventCount) {
        long started = System.nanoTime();
        try {
            insert(batch);
        } catch (Throwable failure) {
            if (batch.size() > 1 && SqlErrors.isIntegrityViolation(failure)) {
                // One caller's bad event (a duplicate event id) must not fail the others in its transaction.
                batch.forEach(this::commitAlone);
            } else {
                commitFailed(eventCount, failure);
                batch.forEach(append -> append.done().completeExceptionally(failed(failure)));
            }
            return;
        } finally {
            commitNanos += System.nanoTime() - started;
            commits++;
        }
        commitSucceeded();
        batch.forEach(append -> append.done().complete(null));
    }

    /** Logs the first failure of an outage, then at most one line per interval, not one per batch. */
    private void commitFailed(int eventCount, Throwable failure) {
        if (outage.failed()) {
            log.error("Audit commit of {} events failed ({} failed commits in a row); their tool calls stay held and the"
                    + " writer carries on. Check that the database is reachable: {}", eventCount, outage.failures(),
                    SqlErrors.describe(failure));
        }
    }

    private void commitSucceeded() {
        long failedCommits = outage.recovered();
        if (failedCommits > 0) {
            log.info("Audit commits succeed again after {} failed commits", failedCommits);
        }
    }

    private void commitAlone(Append append) {
        try {
            insert(List.of(append));
        } catch (Throwable failure) {
            log.error("Audit commit of {} events was refused by the database; their tool calls stay held: {}",
                    append.events().size(), SqlErrors.describe(failure));
            append.done().completeExceptionally(failed(failure));
            return;
        }
        append.done().complete(null);
    }

    private void insert(List<Append> batch) throws Exception {
        List<AuditEvent> events = new ArrayList<>();
        batch.forEach(append -> events.addAll(append.events()));
        sink.persist(events);
    }

    private static StorageException failed(Throwable cause) {
        if (cause instanceof StorageException refused) {
            return refused;  // the sink said why (the journal's index is behind, the queue is full)
        }
        return new StorageException("audit events were not committed: " + SqlErrors.describe(cause), cause);
    }

    private void warnBacklog() {
        long now = System.nanoTime();
        if (now - lastBacklogWarning >= BACKLOG_WARNING_INTERVAL_NANOS) {
            lastBacklogWarning = now;
            log.warn("Audit queue is full ({} appends waiting): tool calls are held until the database catches up."
                    + " Check database latency and disk.", capacity);
        }
    }
}
