package dev.toolgate.proxy.arguments;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Arguments in one canonical form (object keys sorted, no insignificant space), so the same call
 * made twice has the same digest however the model spaced or ordered it.
 */
public final class CanonicalArguments {
    private static final JsonMapper SORTED = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            // "{...} trailing" is not JSON: without this it would be canonicalised to its first value.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CanonicalArguments() {
    }

    /** Canonical JSON, or the text unchanged when it is not JSON (it is still digested as given). */
    public static String of(String raw) {
        if (raw == null || raw.isBlank()) {
            return "{}";
        }
        try {
            JsonNode node = SORTED.readTree(raw);
            Object plain = SORTED.treeToValue(node, Object.class);
            return SORTED.writeValueAsString(plain);
        } catch (IOException notJson) {
            return raw;
        }
    }

    public static String digest(String canonical) {
        return sha256(canonical);
    }

    public static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
