package dev.toolgate.proxy.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests the server is serving, counted from when one arrives until its response is written
 * (or its client is gone), so that a shutdown can wait for them; and whether the gateway is
 * draining, when every response closes its connection so that clients reconnect elsewhere.
 */
public final class RequestsInFlight {
    private static final long POLL_MILLIS = 20;

    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean draining;

    void started() {
        count.incrementAndGet();
    }

    void finished() {
        count.decrementAndGet();
    }

    public int count() {
        return count.get();
    }

    public boolean draining() {
        return draining;
    }

    /** From now on responses close their connections; waits for the requests in flight, at most {@code grace}. Returns how many remain. */
    public int drain(Duration grace) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (count.get() > 0 && System.nanoTime() - deadline < 0) {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
        return Math.max(0, count.get());
    }
}
