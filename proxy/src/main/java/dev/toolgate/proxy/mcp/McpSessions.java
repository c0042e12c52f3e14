package dev.toolgate.proxy.mcp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.toolgate.proxy.server.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * MCP sessions of this gateway process ({@code Mcp-Session-Id}): created by {@code initialize},
 * bound to the key that created them, ended by {@code DELETE} or after an hour unused. A session
 * holds only the negotiated protocol version, so a client whose load balancer sends it to another
 * instance initializes again (404 tells it to, as the specification says).
 */
final class McpSessions {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration IDLE = Duration.ofHours(1);
    private static final int MAX_SESSIONS = 100_000;

    /** One client's session. */
    record Session(String id, Principal principal, String protocolVersion) {
    }

    private final Cache<String, Session> sessions = Caffeine.newBuilder().expireAfterAccess(IDLE).maximumSize(MAX_SESSIONS).build();

    Session open(Principal principal, String protocolVersion) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        Session session = new Session(HexFormat.of().formatHex(bytes), principal, protocolVersion);
        sessions.put(session.id(), session);
        return session;
    }

    /** The session {@code id} of {@code principal}'s; another key's session is not found. */
    Optional<Session> find(String id, Principal principal) {
        Session session = id == null ? null : sessions.getIfPresent(id);
        return session != null && session.principal().name().equals(principal.name()) ? Optional.of(session) : Optional.empty();
    }

    void close(Session session) {
        sessions.invalidate(session.id());
    }
}
