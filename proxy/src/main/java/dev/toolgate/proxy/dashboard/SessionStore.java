package dev.toolgate.proxy.dashboard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.toolgate.proxy.server.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The dashboard's sessions, in this instance's memory: random 256-bit ids, each ending after
 * {@link #IDLE} without a request or {@link #ABSOLUTE} after sign-in, whichever comes first, or
 * at sign-out. A gateway behind a load balancer needs sticky sessions for its dashboard.
 */
final class SessionStore {
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration ABSOLUTE = Duration.ofHours(12);
    /** Far more than the admins of one gateway; a flood of sign-ins evicts the oldest rather than fill the heap. */
    private static final int MAX_SESSIONS = 10_000;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Cache<String, Session> sessions;

    SessionStore(Clock clock) {
        this.clock = clock;
        this.sessions = Caffeine.newBuilder()
                .maximumSize(MAX_SESSIONS)
                .ticker(() -> clock.millis() * 1_000_000L)
                .expireAfter(new Expiry<String, Session>() {
                    @Override
                    public long expireAfterCreate(String id, Session session, long now) {
                        return left(session, IDLE);
                    }

                    @Override
                    public long expireAfterUpdate(String id, Session session, long now, long current) {
                        return left(session, IDLE);
                    }

                    @Override
                    public long expireAfterRead(String id, Session session, long now, long current) {
                        return left(session, IDLE);
                    }
                })
                .build();
    }

    /** Nanoseconds the session may live from now: the idle time, but never past its absolute end. */
    private long left(Session session, Duration idle) {
        Duration untilEnd = Duration.between(clock.instant(), session.signedInAt().plus(ABSOLUTE));
        return Math.max(0, (untilEnd.compareTo(idle) < 0 ? untilEnd : idle).toNanos());
    }

    Session signIn(Principal admin) {
        Session session = new Session(randomToken(), admin, randomToken(), clock.instant());
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session with this id; reading it restarts its idle time. */
    Optional<Session> find(String id) {
        return Optional.ofNullable(sessions.getIfPresent(id));
    }

    void signOut(String id) {
        sessions.invalidate(id);
    }

    /** 256 random bits, URL-safe: fits a cookie and a header unquoted. */
    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
