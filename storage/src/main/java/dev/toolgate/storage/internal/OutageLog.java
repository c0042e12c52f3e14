package dev.toolgate.storage.internal;

/**
 * When to log a repeated failure: the first of an outage, then at most one line per interval, then
 * the recovery, so a database that is down for an hour writes a few lines, not one per attempt.
 * Counts failures in a row. Used by one thread.
 */
public final class OutageLog {
    private final long intervalNanos;
    private long failures;
    private long lastLogged;

    public OutageLog(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** Counts a failure; true when it should be logged. */
    public boolean failed() {
        failures++;
        long now = System.nanoTime();
        if (failures == 1 || now - lastLogged >= intervalNanos) {
            lastLogged = now;
            return true;
        }
        return false;
    }

    /** Failures in a row so far. */
    public long failures() {
        return failures;
    }

    /** Ends the outage: returns how many failures it had (0 when there was none), to log the recovery. */
    public long recovered() {
        long ended = failures;
        failures = 0;
        return ended;
    }
}
