package dev.toolgate.storage.audit.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails what callers wait on once an append's commit is overdue. Every append gets the same
 * timeout, so deadlines fall in the order appends are watched and one thread checks only the
 * oldest, a few times per timeout. A timer task per append ({@code orTimeout}) would wake the JDK's
 * delay thread for about every audited call: a context switch per request, on cores the request's
 * own threads need.
 *
 * <p>A deadline is met at most one check period late: a tenth of the timeout, within 1 to 100 ms.
 */
final class AppendDeadlines implements AutoCloseable {
    static final String THREAD_NAME = "toolgate-audit-deadlines";

    private static final Logger log = LoggerFactory.getLogger(AppendDeadlines.class);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private record Watched(CompletableFuture<?> future, long deadlineNanos) {
    }

    private final long timeoutNanos;
    private final Supplier<? extends Throwable> overdue;
    private final ConcurrentLinkedQueue<Watched> watched = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService checker;

    /** {@code overdue}: what a future that is not complete at its deadline fails with. */
    AppendDeadlines(long timeoutNanos, Supplier<? extends Throwable> overdue) {
        this.timeoutNanos = timeoutNanos;
        this.overdue = overdue;
        this.checker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, timeoutNanos / 10));
        checker.scheduleAtFixedRate(this::failOverdue, period, period, TimeUnit.NANOSECONDS);
    }

    /** Fails {@code future} unless it completes within the timeout from now. */
    void watch(CompletableFuture<?> future) {
        watched.add(new Watched(future, System.nanoTime() + timeoutNanos));
    }

    /** Stops checking; futures still watched are left as they are. */
    @Override
    public void close() {
        checker.shutdownNow();
    }

    private void failOverdue() {
        try {
            long now = System.nanoTime();
            for (Watched oldest; (oldest = watched.peek()) != null; watched.poll()) {
                if (!oldest.future().isDone()) {
                    if (oldest.deadlineNanos() - now > 0) {
                        return;
                    }
                    oldest.future().completeExceptionally(overdue.get());
                }
            }
        } catch (RuntimeException bug) {
            // An exception would cancel the periodic check for good, and no deadline would ever be met again.
            log.error("Checking audit commit deadlines failed; checking again at the next period", bug);
        }
    }
}
