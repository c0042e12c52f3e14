package dev.toolgate.config;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code judge} section: the OpenAI-compatible model that decides whether a plain-language rule
 * applies to a tool call. Its endpoint and key default to the {@code upstream} section's.
 *
 * @param maxConcurrency judge requests in flight at once; more wait for a slot within {@code timeout}
 * @param cacheTtl how long a verdict is reused for the same rules, tool and arguments
 */
public record JudgeConfig(URI baseUrl, String apiKey, String model, Duration timeout, int maxConcurrency, Duration cacheTtl) {
    public static final String DEFAULT_MODEL = "gpt-4o-mini";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONCURRENCY = 16;
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(10);

    /** The section as it is when {@code toolgate.yaml} leaves it out: the upstream's endpoint and key. */
    public static JudgeConfig defaultsFor(UpstreamConfig upstream) {
        return new JudgeConfig(upstream.baseUrl(), upstream.apiKey(), DEFAULT_MODEL, DEFAULT_TIMEOUT, DEFAULT_MAX_CONCURRENCY,
                DEFAULT_CACHE_TTL);
    }

    @Override
    public String toString() {
        // Never print the key: records end up in logs.
        return "JudgeConfig[baseUrl=" + baseUrl + ", apiKey=" + Secrets.mask(apiKey) + ", model=" + model
                + ", timeout=" + timeout + ", maxConcurrency=" + maxConcurrency + ", cacheTtl=" + cacheTtl + "]";
    }
}
