package dev.toolgate.proxy.blocking;

import dev.toolgate.storage.StorageException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Where storage, JDBC and (later) SMTP work runs, never on an event loop. Bounded: when the
 * database stalls, work is refused with a failed future instead of queueing without limit, and
 * the caller of {@link #storageWork} stops waiting after {@code storage.timeout}, so a request
 * gets its 503 rather than hang with the database.
 */
public final class BlockingExecutor implements AutoCloseable {
    private static final int THREADS = 16;
    private static final int QUEUE = 10_000;

    private final ThreadPoolExecutor pool;
    private final Duration storageTimeout;

    /** {@code storageTimeout}: how long a caller of {@link #storageWork} waits ({@code storage.timeout}). */
    public BlockingExecutor(Duration storageTimeout) {
        if (storageTimeout.isNegative() || storageTimeout.isZero()) {
            throw new IllegalArgumentException("storage timeout: " + storageTimeout + " (expected: a positive duration)");
        }
        this.storageTimeout = storageTimeout;
        // core == max: a ThreadPoolExecutor only adds threads beyond core once its queue is full.
        pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                new DefaultThreadFactory("toolgate-blocking", true));
        pool.allowCoreThreadTimeOut(true);
    }

    /** How long a caller of {@link #storageWork} waits ({@code storage.timeout}). */
    public Duration storageTimeout() {
        return storageTimeout;
    }

    /** Runs {@code work} for as long as it takes; the future fails (never throws here) when the executor is saturated or stopped. */
    public <T> CompletableFuture<T> supply(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Storage work a request waits for: its future fails with a {@link StorageException} after {@code storage.timeout}. */
    public <T> CompletableFuture<T> storageWork(Supplier<T> work) {
        return within(storageTimeout, supply(work));
    }

    /** Work a request waits for at most {@code timeout}; the work itself goes on, only the caller stops waiting. */
    public <T> CompletableFuture<T> supplyWithin(Duration timeout, Supplier<T> work) {
        return within(timeout, supply(work));
    }

    private static <T> CompletableFuture<T> within(Duration timeout, CompletableFuture<T> work) {
        CompletableFuture<T> bounded = new CompletableFuture<>();
        work.whenComplete((result, failure) -> {
            if (failure == null) {
                bounded.complete(result);
            } else {
                bounded.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            }
        });
        bounded.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return bounded.exceptionallyCompose(failure -> CompletableFuture.failedFuture(failure instanceof TimeoutException
                ? new StorageException("storage did not answer within " + timeout.toMillis() + " ms (storage.timeout)")
                : failure));
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
