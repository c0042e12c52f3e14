package dev.toolgate.config;

import java.net.URI;

/**
 * The {@code anthropic} section: the provider behind {@code /v1/messages}.
 *
 * @param apiKey empty means: forward the client's own {@code x-api-key}
 */
public record AnthropicConfig(URI baseUrl, String apiKey, FailoverConfig failover) {
    /** Health checks ask for the model list; Anthropic base URLs do not end in {@code /v1}. */
    public static final String HEALTH_PATH = "/v1/models";

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final AnthropicConfig DEFAULTS = new AnthropicConfig(URI.create("https://api.anthropic.com"), "");

    /** Without fallbacks. */
    public AnthropicConfig(URI baseUrl, String apiKey) {
        this(baseUrl, apiKey, FailoverConfig.none(HEALTH_PATH));
    }

    /** Whether the gateway supplies its own provider key instead of forwarding the client's. */
    public boolean hasApiKey() {
        return !apiKey.isEmpty();
    }

    @Override
    public String toString() {
        return "AnthropicConfig[baseUrl=" + baseUrl + ", apiKey=" + Secrets.mask(apiKey) + ", failover=" + failover + "]";
    }
}
