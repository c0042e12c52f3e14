package dev.toolgate.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One gateway key from the {@code keys} section. Only the key's SHA-256 is kept: a raw key given
 * as {@code key} is hashed while the file is read and never stored.
 *
 * @param name who the key belongs to; it names the agent in decisions and the audit log
 * @param keySha256 the SHA-256 of the key, 64 lower-case hexadecimal characters
 * @param development true when no key was configured and {@code tg-dev-<name>} stands in for it
 * @param rateLimit the key's own limit, or the {@code limits.rate_limit} default
 */
public record KeyConfig(String name, String keySha256, Role role, String workspace, boolean development, RateLimitConfig rateLimit) {
    public static final String DEFAULT_WORKSPACE = "default";
    public static final String DEVELOPMENT_KEY_PREFIX = "tg-dev-";
    /** Shorter keys are refused: a gateway key guards every tool an agent can reach. */
    public static final int MIN_KEY_LENGTH = 16;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public KeyConfig {
        // Catches a raw key passed where its digest belongs, before it can end up stored or compared.
        if (keySha256 == null || !SHA256_HEX.matcher(keySha256).matches()) {
            throw new IllegalArgumentException("keySha256 of key '" + name + "' is not 64 lower-case hexadecimal characters");
        }
    }

    /** A key without a rate limit. */
    public KeyConfig(String name, String keySha256, Role role, String workspace, boolean development) {
        this(name, keySha256, role, workspace, development, RateLimitConfig.UNLIMITED);
    }

    /** The stand-in key used when {@code key} is empty: guessable, for local development only. */
    public static String developmentKey(String name) {
        return DEVELOPMENT_KEY_PREFIX + name;
    }

    /** The SHA-256 of a key's UTF-8 bytes, as {@link #keySha256()} holds it (and as {@code sha256sum} prints it). */
    public static String sha256Of(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    @Override
    public String toString() {
        // The digest is not the key, but a weak key can be guessed from it: it stays out of logs too.
        return "KeyConfig[name=" + name + ", keySha256=(redacted), role=" + role.wireName() + ", workspace=" + workspace
                + ", development=" + development + ", rateLimit=" + rateLimit + "]";
    }
}
