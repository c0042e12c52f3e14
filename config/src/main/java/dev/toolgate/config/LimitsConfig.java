package dev.toolgate.config;

/**
 * The {@code limits} section. Sizes are in bytes: larger bodies are refused (413) rather than buffered.
 *
 * @param rateLimit the rate limit of every key that sets none of its own; unlimited unless configured
 */
public record LimitsConfig(long maxRequestBytes, long maxResponseBytes, long maxToolArgumentBytes, RateLimitConfig rateLimit) {
    private static final long MIB = 1024L * 1024L;

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final LimitsConfig DEFAULTS = new LimitsConfig(10 * MIB, 32 * MIB, MIB, RateLimitConfig.UNLIMITED);

    /** Size limits without a default rate limit. */
    public LimitsConfig(long maxRequestBytes, long maxResponseBytes, long maxToolArgumentBytes) {
        this(maxRequestBytes, maxResponseBytes, maxToolArgumentBytes, RateLimitConfig.UNLIMITED);
    }
}
