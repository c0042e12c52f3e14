package dev.toolgate.config;

import java.net.URI;

/**
 * The {@code anthropic} section: the provider behind {@code /v1/messages}.
 *
 * @param apiKey empty means: forward the client's own {@code x-api-key}
 */
public record AnthropicConfig(URI baseUrl, String apiKey) {

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final AnthropicConfig DEFAULTS = new AnthropicConfig(URI.create("https://api.anthropic.com"), "");

    /** Whether the gateway supplies its own provider key instead of forwarding the client's. */
    public boolean hasApiKey() {
        return !apiKey.isEmpty();
    }

    @Override
    public String toString() {
        return "AnthropicConfig[baseUrl=" + baseUrl + ", apiKey=" + Secrets.mask(apiKey) + "]";
    }
}
