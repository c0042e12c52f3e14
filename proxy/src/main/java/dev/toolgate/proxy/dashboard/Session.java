package dev.toolgate.proxy.dashboard;

import dev.toolgate.proxy.server.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;

/**
 * One signed-in dashboard user: the admin key's principal and the CSRF token every state-changing
 * request of the session must carry. Held only on the server; the browser holds the id.
 */
record Session(String id, Principal admin, String csrfToken, Instant signedInAt) {

    /** Compared in constant time: the token is a secret like the session id. */
    boolean csrfMatches(String presented) {
        return presented != null && MessageDigest.isEqual(csrfToken.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }
}
