package dev.toolgate.storage;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs two tasks released at the same instant on two threads, for tests where exactly one must win. */
final class Race implements AutoCloseable {
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    <T> List<T> run(Callable<T> first, Callable<T> second) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        Future<T> a = threads.submit(() -> {
            start.await();
            return first.call();
        });
        Future<T> b = threads.submit(() -> {
            start.await();
            return second.call();
        });
        start.countDown();
        return List.of(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS));
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
