package dev.toolgate.proxy.server;

import dev.toolgate.config.KeyConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Resolves a presented gateway key to its {@link Principal}. Only SHA-256 digests of keys are
 * held (the configuration never keeps a raw key), and a presented key is compared by its digest,
 * in constant time, against every configured one.
 */
public final class GatewayKeys {
    public static final String TOOLGATE_KEY_HEADER = "x-toolgate-key";
    public static final String API_KEY_HEADER = "x-api-key";
    public static final String API_KEY_PARAM = "api_key";
    private static final String BEARER = "Bearer ";

    /** Replaced whole when the config is reloaded: a request sees the old keys or the new, never a mix. */
    private volatile List<Known> known;

    private record Known(byte[] sha256, Principal principal) {
    }

    public GatewayKeys(List<KeyConfig> keys) {
        this.known = known(keys);
    }

    /** From now on these keys, and only these, are valid (a reloaded config). */
    public void replace(List<KeyConfig> keys) {
        this.known = known(keys);
    }

    private static List<Known> known(List<KeyConfig> keys) {
        return keys.stream()
                .map(key -> new Known(HexFormat.of().parseHex(key.keySha256()), new Principal(key.name(), key.role(), key.workspace())))
                .toList();
    }

    /**
     * The key from {@code x-toolgate-key}, else {@code x-api-key} (when {@code apiKeyHeaderIsOurs};
     * on Anthropic routes that header is the provider's), else {@code Authorization: Bearer} (when
     * {@code bearerIsOurs}; on model routes it is the provider's), else {@code ?api_key=}.
     */
    public static Optional<String> presented(HttpHeaders headers, QueryStringDecoder query, boolean apiKeyHeaderIsOurs,
                                             boolean bearerIsOurs) {
        String key = headers.get(TOOLGATE_KEY_HEADER);
        if (key == null && apiKeyHeaderIsOurs) {
            key = headers.get(API_KEY_HEADER);
        }
        if (key == null && bearerIsOurs) {
            String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                key = authorization.substring(BEARER.length());
            }
        }
        if (key == null) {
            List<String> values = query.parameters().get(API_KEY_PARAM);
            key = values == null || values.isEmpty() ? null : values.get(0);
        }
        return key == null || key.isBlank() ? Optional.empty() : Optional.of(key.trim());
    }

    /** Whether a key for {@code principal} (same name, role and workspace) is still configured: a reload may have removed it. */
    public boolean stillValid(Principal principal) {
        return this.known.stream().anyMatch(key -> key.principal().equals(principal));
    }

    /** Every configured key's principal, in the order of the file. */
    public List<Principal> principals() {
        return this.known.stream().map(Known::principal).toList();
    }

    public Optional<Principal> authenticate(String presentedKey) {
        byte[] presented = HexFormat.of().parseHex(KeyConfig.sha256Of(presentedKey));
        // Every digest is compared, with no early exit and no map keyed by a secret: the time taken
        // depends on how many keys there are, not on which one matched or how much of it. Key sets
        // are small, and 32-byte comparisons are cheap next to the hashing.
        Principal match = null;
        for (Known key : this.known) {
            if (MessageDigest.isEqual(key.sha256(), presented)) {
                match = key.principal();
            }
        }
        return Optional.ofNullable(match);
    }
}
