package dev.toolgate.proxy.upstream;

import java.net.URI;

/**
 * One endpoint of a provider: the primary or a fallback, where its requests go, the model it is
 * asked for and its health.
 *
 * @param provider {@code openai} or {@code anthropic}: the config section it comes from
 * @param model replaces the request's {@code model} here; empty keeps the client's
 */
public record FailoverEndpoint(String provider, boolean primary, ProviderRoute route, String model, EndpointHealth health) {

    /** Where it is, without credentials or query: what logs, metrics and the API show. */
    public String url() {
        return withoutCredentials(route.baseUrl());
    }

    static String withoutCredentials(URI uri) {
        String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path;
    }
}
