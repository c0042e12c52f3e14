package dev.toolgate.proxy;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where storage, JDBC and (later) SMTP work runs, never on an event loop. Bounded: when the
 * database stalls, work is refused with a failed future instead of queueing without limit, and
 * callers answer 503 rather than hang.
 */
public final class BlockingExecutor implements AutoCloseable {
    private static final int THREADS = 16;
    private static final int QUEUE = 10_000;

    private final ThreadPoolExecutor pool;

    public BlockingExecutor() {
        // core == max: a ThreadPoolExecutor only adds threads beyond core once its queue is full.
        pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                new DefaultThreadFactory("toolgate-blocking", true));
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code work}; the future fails (never throws here) when the executor is saturated or stopped. */
    public <T> CompletableFuture<T> supply(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
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
