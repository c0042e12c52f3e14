package dev.toolgate.proxy.server;

import dev.toolgate.config.KeyConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a presented gateway key to its {@link Principal}. Only SHA-256 digests of keys are
 * held, and lookups compare digests, so neither raw keys nor key-dependent timing leak.
 */
public final class GatewayKeys {
    public static final String TOOLGATE_KEY_HEADER = "x-toolgate-key";
    public static final String API_KEY_HEADER = "x-api-key";
    public static final String API_KEY_PARAM = "api_key";

    private final Map<String, Principal> byDigest = new HashMap<>();

    public GatewayKeys(List<KeyConfig> keys) {
        for (KeyConfig key : keys) {
            byDigest.put(digest(key.key()), new Principal(key.name(), key.role(), key.workspace()));
        }
    }

    /**
     * The key from {@code x-toolgate-key}, else {@code x-api-key} (when {@code apiKeyHeaderIsOurs};
     * on Anthropic routes that header is the provider's), else {@code ?api_key=}.
     */
    public static Optional<String> presented(HttpHeaders headers, QueryStringDecoder query, boolean apiKeyHeaderIsOurs) {
        String key = headers.get(TOOLGATE_KEY_HEADER);
        if (key == null && apiKeyHeaderIsOurs) {
            key = headers.get(API_KEY_HEADER);
        }
        if (key == null) {
            List<String> values = query.parameters().get(API_KEY_PARAM);
            key = values == null || values.isEmpty() ? null : values.get(0);
        }
        return key == null || key.isBlank() ? Optional.empty() : Optional.of(key.trim());
    }

    public Optional<Principal> authenticate(String presentedKey) {
        return Optional.ofNullable(byDigest.get(digest(presentedKey)));
    }

    private static String digest(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
