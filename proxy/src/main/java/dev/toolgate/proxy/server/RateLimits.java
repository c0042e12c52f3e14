package dev.toolgate.proxy.server;

import dev.toolgate.config.KeyConfig;
import dev.toolgate.config.RateLimitConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-key rate limits: a {@link TokenBucket} for each configured key that has a limit, in memory.
 * Each gateway process counts on its own, so with {@code server.instances} gateways behind a load
 * balancer each enforces its share of the limit (a balancer spreading requests evenly makes the
 * sum the configured limit). The keys are known at startup, so the buckets are too.
 */
public final class RateLimits {
    public static final String LIMIT_HEADER = "X-RateLimit-Limit";
    public static final String REMAINING_HEADER = "X-RateLimit-Remaining";
    public static final String RESET_HEADER = "X-RateLimit-Reset";

    /** Replaced whole when the config is reloaded. */
    private volatile Map<String, TokenBucket> byKeyName;
    private final Clock clock;
    private final int instances;

    /** {@code clock} refills the buckets, so tests move time instead of sleeping. */
    public RateLimits(List<KeyConfig> keys, Clock clock) {
        this(keys, clock, 1);
    }

    /** For one of {@code instances} gateways sharing the load. */
    public RateLimits(List<KeyConfig> keys, Clock clock, int instances) {
        this.clock = clock;
        this.instances = instances;
        this.byKeyName = buckets(keys, Map.of());
    }

    /**
     * The limits of a reloaded config. A key whose limit did not change keeps its bucket, tokens
     * spent included: a reload must not hand every agent a fresh burst.
     */
    public void reconfigure(List<KeyConfig> keys) {
        this.byKeyName = buckets(keys, byKeyName);
    }

    private Map<String, TokenBucket> buckets(List<KeyConfig> keys, Map<String, TokenBucket> current) {
        Map<String, TokenBucket> buckets = new HashMap<>();
        long now = nanos();
        for (KeyConfig key : keys) {
            if (!key.rateLimit().isUnlimited()) {
                RateLimitConfig limit = key.rateLimit().shareOf(instances);
                TokenBucket kept = current.get(key.name());
                buckets.put(key.name(), kept != null && kept.limit().equals(limit) ? kept : new TokenBucket(limit, now));
            }
        }
        return Map.copyOf(buckets);
    }

    /**
     * Counts one request by {@code principal}: sets the {@code X-RateLimit-*} headers on the
     * exchange's response, and throws 429 {@code RATE_LIMITED} when the key has no request left.
     * A key without a limit gets no headers.
     */
    void take(Principal principal, Exchange exchange) {
        TokenBucket bucket = byKeyName.get(principal.name());
        if (bucket == null) {
            return;
        }
        TokenBucket.Outcome outcome = bucket.take(nanos());
        exchange.responseHeader(LIMIT_HEADER, Long.toString(outcome.limit()));
        exchange.responseHeader(REMAINING_HEADER, Long.toString(outcome.remaining()));
        exchange.responseHeader(RESET_HEADER, Long.toString(outcome.resetSeconds()));
        if (!outcome.allowed()) {
            throw new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "RATE_LIMITED",
                    "key '" + principal.name() + "' is over its rate limit of " + bucket.limit().requestsPerMinute()
                            + " requests a minute (burst " + bucket.limit().burst() + "); retry in " + outcome.retryAfterSeconds() + " s")
                    .withHeader("Retry-After", Long.toString(outcome.retryAfterSeconds()));
        }
    }

    private long nanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
