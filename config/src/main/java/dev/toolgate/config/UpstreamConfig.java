package dev.toolgate.config;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code upstream} section: the OpenAI-compatible provider requests are forwarded to.
 *
 * @param apiKey empty means: forward the client's own {@code Authorization} header
 */
public record UpstreamConfig(URI baseUrl, String apiKey, Duration timeout, Duration connectTimeout, FailoverConfig failover) {
    /** Health checks ask for the model list, relative to a base URL ending in {@code /v1}. */
    public static final String HEALTH_PATH = "/models";

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final UpstreamConfig DEFAULTS = new UpstreamConfig(URI.create("https://api.openai.com/v1"), "", Duration.ofSeconds(120), Duration.ofSeconds(10));

    /** Without fallbacks. */
    public UpstreamConfig(URI baseUrl, String apiKey, Duration timeout, Duration connectTimeout) {
        this(baseUrl, apiKey, timeout, connectTimeout, FailoverConfig.none(HEALTH_PATH));
    }

    /** Whether the gateway supplies its own provider key instead of forwarding the client's. */
    public boolean hasApiKey() {
        return !apiKey.isEmpty();
    }

    @Override
    public String toString() {
        // Never print the provider key: records end up in logs.
        return "UpstreamConfig[baseUrl=" + baseUrl + ", apiKey=" + Secrets.mask(apiKey)
                + ", timeout=" + timeout + ", connectTimeout=" + connectTimeout + ", failover=" + failover + "]";
    }
}
