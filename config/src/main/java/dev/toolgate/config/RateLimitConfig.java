package dev.toolgate.config;

/**
 * A token bucket for one gateway key: {@code burst} requests at once, refilled at
 * {@code requestsPerMinute}. {@link #UNLIMITED} (both zero) means no limit.
 */
public record RateLimitConfig(int requestsPerMinute, int burst) {
    /** Beyond this a limit protects nothing; use {@code unlimited} instead. It also keeps the bucket's arithmetic exact. */
    public static final int MAX_REQUESTS = 1_000_000;
    public static final RateLimitConfig UNLIMITED = new RateLimitConfig(0, 0);

    public RateLimitConfig {
        boolean none = requestsPerMinute == 0 && burst == 0;
        if (!none && (requestsPerMinute < 1 || requestsPerMinute > MAX_REQUESTS || burst < 1 || burst > MAX_REQUESTS)) {
            throw new IllegalArgumentException("rate limit " + requestsPerMinute + "/min, burst " + burst
                    + " (expected: both from 1 to " + MAX_REQUESTS + ", or both 0 for unlimited)");
        }
    }

    public boolean isUnlimited() {
        return requestsPerMinute == 0;
    }

    /** The part of this limit one of {@code instances} gateways enforces, rounded up so no share is zero. */
    public RateLimitConfig shareOf(int instances) {
        if (isUnlimited() || instances <= 1) {
            return this;
        }
        return new RateLimitConfig(ceilDiv(requestsPerMinute, instances), ceilDiv(burst, instances));
    }

    private static int ceilDiv(int value, int parts) {
        return (value + parts - 1) / parts;
    }
}
