package dev.toolgate.proxy.mcp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.toolgate.proxy.server.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The MCP sessions of this gateway process, for both transports: created by {@code initialize}
 * (Streamable HTTP) or by opening {@code GET /sse} (legacy), bound to the key that created them,
 * ended by {@code DELETE}, by their stream closing, or after an hour unused. Sessions live in one
 * process: a client sent to another instance gets 404 and initializes again, as the
 * specification says it must.
 */
final class McpSessions {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration IDLE = Duration.ofHours(1);
    private static final int MAX_SESSIONS = 100_000;

    private final Cache<String, McpSession> sessions = Caffeine.newBuilder()
            .expireAfterAccess(IDLE)
            .maximumSize(MAX_SESSIONS)
            .removalListener((String id, McpSession session, RemovalCause cause) -> {
                if (session != null) {
                    session.endStream();
                    session.handler().closed(session);
                }
            })
            .build();

    McpSession open(Principal principal, McpHandler handler) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        McpSession session = new McpSession(HexFormat.of().formatHex(bytes), principal, handler);
        sessions.put(session.id(), session);
        return session;
    }

    /** The session {@code id} of {@code principal}'s; another key's session is not found. */
    Optional<McpSession> find(String id, Principal principal) {
        return find(id).filter(session -> session.principal().name().equals(principal.name()));
    }

    /** The session {@code id}, whoever owns it: its id is the secret (legacy SSE message posts carry no key). */
    Optional<McpSession> find(String id) {
        return Optional.ofNullable(id == null ? null : sessions.getIfPresent(id));
    }

    void close(McpSession session) {
        sessions.invalidate(session.id());
    }

    /** Ends every session and its stream: the gateway is shutting down. */
    void closeAll() {
        sessions.invalidateAll();
        sessions.cleanUp();
    }
}
