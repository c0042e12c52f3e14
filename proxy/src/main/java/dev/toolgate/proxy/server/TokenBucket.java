package dev.toolgate.proxy.server;

import dev.toolgate.config.RateLimitConfig;

/**
 * One key's token bucket: holds up to {@code burst} tokens, refills {@code requestsPerMinute} a
 * minute, and each request takes one. Integer arithmetic, so a refill is exact: with 3 a minute,
 * 20 s later there is exactly one more token.
 */
final class TokenBucket {
    /** The level is kept in units of 1/60e9 token, so that one nanosecond refills {@code requestsPerMinute} units. */
    private static final long UNITS_PER_TOKEN = 60_000_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final RateLimitConfig limit;
    private final long perMinute;
    private final long capacity;
    private long level;
    private long lastNanos;

    TokenBucket(RateLimitConfig limit, long nowNanos) {
        this.limit = limit;
        this.perMinute = limit.requestsPerMinute();
        this.capacity = limit.burst() * UNITS_PER_TOKEN;
        this.level = capacity;
        this.lastNanos = nowNanos;
    }

    /** The outcome of one request against the bucket; all times in whole seconds, rounded up. */
    record Outcome(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds) {
    }

    RateLimitConfig limit() {
        return limit;
    }

    synchronized Outcome take(long nowNanos) {
        refill(nowNanos);
        boolean allowed = level >= UNITS_PER_TOKEN;
        if (allowed) {
            level -= UNITS_PER_TOKEN;
        }
        long retryAfter = allowed ? 0 : Math.max(1, seconds(nanosToRefill(UNITS_PER_TOKEN - level)));
        return new Outcome(allowed, capacity / UNITS_PER_TOKEN, level / UNITS_PER_TOKEN, seconds(nanosToRefill(capacity - level)),
                retryAfter);
    }

    private void refill(long nowNanos) {
        // The time source is a wall clock: when it steps back, restart from now rather than refill nothing until it catches up.
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = nowNanos;
        // Compared before multiplying: a long idle time times the rate could overflow.
        level = elapsed >= nanosToRefill(capacity - level) ? capacity : level + elapsed * perMinute;
    }

    private long nanosToRefill(long units) {
        return ceilDiv(units, perMinute);
    }

    private static long seconds(long nanos) {
        return ceilDiv(nanos, NANOS_PER_SECOND);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
