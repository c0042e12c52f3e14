package dev.toolgate.proxy.approval;

import dev.toolgate.proxy.arguments.CanonicalArguments;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One-click link tokens: 256 random bits, URL-safe. Only their SHA-256 is stored, so a database
 * dump cannot be turned into working links.
 */
public final class LinkTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 32;

    private LinkTokens() {
    }

    public static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String token) {
        return CanonicalArguments.sha256(token);
    }

    /** Tokens are exactly 43 URL-safe characters; anything else is rejected before any lookup. */
    public static boolean wellFormed(String token) {
        return token != null && token.length() == 43 && token.chars().allMatch(c ->
                (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    }
}
