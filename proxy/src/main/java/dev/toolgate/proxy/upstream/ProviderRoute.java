package dev.toolgate.proxy.upstream;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;

/**
 * Where a model route's requests go and how the provider is authenticated.
 *
 * @param providerKey the gateway's own provider key; empty to forward the client's
 * @param clientPrefix the part of the client's path the base URL already stands for: OpenAI base
 *     URLs end in {@code /v1} (as the SDKs' do), Anthropic's do not
 */
public record ProviderRoute(URI baseUrl, String providerKey, Auth auth, String clientPrefix) {

    public static ProviderRoute openAi(URI baseUrl, String providerKey) {
        return new ProviderRoute(baseUrl, providerKey, Auth.BEARER, "/v1");
    }

    public static ProviderRoute anthropic(URI baseUrl, String providerKey) {
        return new ProviderRoute(baseUrl, providerKey, Auth.X_API_KEY, "");
    }

    /** The upstream URL for a client request. */
    public URI target(QueryStringDecoder clientUri) {
        return UpstreamTarget.resolve(baseUrl, clientUri, clientPrefix, "api_key");
    }

    /** How the provider takes its key. */
    public enum Auth {
        /** {@code Authorization: Bearer} (OpenAI); {@code x-api-key} then carries the gateway key. */
        BEARER,
        /** {@code x-api-key} (Anthropic); the gateway key rides in {@code x-toolgate-key} unless the config supplies the provider key. */
        X_API_KEY
    }

    public boolean hasProviderKey() {
        return providerKey != null && !providerKey.isEmpty();
    }

    /** Whether the client's {@code x-api-key} header is the gateway key on this route. */
    public boolean apiKeyHeaderIsGateway() {
        return auth == Auth.BEARER || hasProviderKey();
    }
}
