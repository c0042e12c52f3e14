package dev.toolgate.storage.jdbi;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQueueFullException;
import dev.toolgate.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the audit log: one thread takes every append waiting in a bounded queue and
 * inserts them in a single transaction, then completes their futures. Callers never wait for the
 * queue; they wait only for the commit that holds their events.
 */
final class AuditWriter implements AutoCloseable {
    static final String THREAD_NAME = "toolgate-audit-writer";

    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    // The writer never gets interrupted (H2 closes its files on interrupt), so it polls to notice close().
    private static final long IDLE_POLL_MILLIS = 20;
    private static final long CLOSE_TIMEOUT_MILLIS = 30_000;
    private static final long BACKLOG_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Jdbi jdbi;
    private final BlockingQueue<Append> queue;
    private final int capacity;
    private final int maxBatchEvents;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long lastBacklogWarning = System.nanoTime() - BACKLOG_WARNING_INTERVAL_NANOS;

    /** Events of one append call; they commit or fail together. */
    private record Append(List<AuditEvent> events, CompletableFuture<Void> done) {
    }

    private AuditWriter(Jdbi jdbi, int capacity, int maxBatchEvents) {
        this.jdbi = jdbi;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.capacity = capacity;
        this.maxBatchEvents = maxBatchEvents;
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    static AuditWriter start(Jdbi jdbi, int capacity, int maxBatchEvents) {
        if (capacity < 1) {
            throw new IllegalArgumentException("audit queue capacity: " + capacity + " (expected: 1 or more)");
        }
        if (maxBatchEvents < 1) {
            throw new IllegalArgumentException("audit batch size: " + maxBatchEvents + " (expected: 1 or more)");
        }
        AuditWriter writer = new AuditWriter(jdbi, capacity, maxBatchEvents);
        writer.thread.start();
        return writer;
    }

    CompletableFuture<Void> append(List<AuditEvent> events) {
        List<AuditEvent> copy = List.copyOf(events);
        if (copy.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Append append = new Append(copy, new CompletableFuture<>());
        // Offers and close() share this lock, so nothing is queued after the writer's final drain.
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new StorageException("the audit log is closed; the event was not recorded"));
            }
            if (!queue.offer(append)) {
                warnBacklog();
                return CompletableFuture.failedFuture(new AuditQueueFullException(capacity));
            }
        }
        return append.done();
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
        if (Thread.currentThread() != thread) {
            awaitDrain();
        }
        failLeftovers();
    }

    private void awaitDrain() {
        try {
            thread.join(CLOSE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("Audit writer did not finish within {} ms of shutdown; {} queued appends are failed unrecorded."
                    + " Check that the database is reachable.", CLOSE_TIMEOUT_MILLIS, queue.size());
        }
    }

    private void failLeftovers() {
        for (Append append; (append = queue.poll()) != null; ) {
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
            for (Append next; events < maxBatchEvents && (next = queue.poll()) != null; ) {
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

    private Append take() {
        try {
            return queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // Stopping here would strand every caller's future; close() is the way to stop.
            log.warn("Audit writer was interrupted; ignoring it (close the storage to stop the writer)");
            return null;
        }
    }

    private void commit(List<Append> batch, int eventCount) {
        try {
            insert(batch);
        } catch (Throwable failure) {
            if (batch.size() > 1 && SqlErrors.isIntegrityViolation(failure)) {
                // One caller's bad event (a duplicate event id) must not fail the others in its transaction.
                batch.forEach(this::commitAlone);
            } else {
                log.error("Audit commit of {} events failed; their tool calls stay held and the writer carries on: {}",
                        eventCount, SqlErrors.describe(failure));
                batch.forEach(append -> append.done().completeExceptionally(failed(failure)));
            }
            return;
        }
        batch.forEach(append -> append.done().complete(null));
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

    private void insert(List<Append> batch) {
        jdbi.useTransaction(handle -> {
            PreparedBatch insert = handle.prepareBatch(AuditEventRows.INSERT);
            for (Append append : batch) {
                for (AuditEvent event : append.events()) {
                    AuditEventRows.add(insert, event);
                }
            }
            insert.execute();
        });
    }

    private static StorageException failed(Throwable cause) {
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
