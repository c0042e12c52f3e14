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
}
