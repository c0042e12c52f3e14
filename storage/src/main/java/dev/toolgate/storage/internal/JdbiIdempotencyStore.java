package dev.toolgate.storage.internal;

import dev.toolgate.storage.IdempotencyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link IdempotencyStore} on {@code idempotency_keys}. A claim is an insert, so of two requests
 * with one key on two instances exactly one gets the key (the other meets the primary key); an
 * expired or abandoned claim is taken over by a conditional update, which one request wins too.
 */
public final class JdbiIdempotencyStore implements IdempotencyStore {
    private static final String PENDING = "pending";
    private static final String DONE = "done";

    private final Jdbi jdbi;

    public JdbiIdempotencyStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    @Override
    public Claim claim(String workspace, String agent, String key, String requestDigest, Instant now, Duration ttl,
                       Duration abandonedAfter) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Claim> existing = jdbi.withHandle(handle -> read(handle, workspace, agent, key, now, abandonedAfter));
            if (existing.isPresent()) {
                return existing.get();
            }
            // Free, expired or abandoned: take it over in place, or insert it.
            boolean taken = jdbi.withHandle(handle -> handle.createUpdate("UPDATE idempotency_keys SET request_digest = :digest,"
                            + " state = :pending, answer_status = NULL, answer_body = NULL, claimed_at = :now, expires_at = :expires"
                            + " WHERE workspace = :workspace AND agent = :agent AND idem_key = :key"
                            + " AND (expires_at <= :now OR (state = :pending AND claimed_at <= :abandoned))")
                    .bind("digest", requestDigest).bind("pending", PENDING).bind("now", now).bind("expires", now.plus(ttl))
                    .bind("workspace", workspace).bind("agent", agent).bind("key", key)
                    .bind("abandoned", now.minus(abandonedAfter))
                    .execute()) == 1;
            if (taken) {
                return new Claimed();
            }
            try {
                jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO idempotency_keys (workspace, agent, idem_key,"
                                + " request_digest, state, claimed_at, expires_at)"
                                + " VALUES (:workspace, :agent, :key, :digest, :pending, :now, :expires)")
                        .bind("workspace", workspace).bind("agent", agent).bind("key", key).bind("digest", requestDigest)
                        .bind("pending", PENDING).bind("now", now).bind("expires", now.plus(ttl))
                        .execute());
                return new Claimed();
            } catch (RuntimeException e) {
                if (!SqlErrors.isDuplicateKey(e)) {
                    throw e;
                }
                // Another request inserted it first: read what it is now.
            }
        }
        throw new IllegalStateException("idempotency key '" + key + "' changed hands three times while being claimed");
    }

    /** The key's live claim or answer; empty when it is free, expired or abandoned. */
    private static Optional<Claim> read(Handle handle, String workspace, String agent, String key, Instant now,
                                        Duration abandonedAfter) {
        return handle.createQuery("SELECT request_digest, state, answer_status, answer_body, claimed_at, expires_at"
                        + " FROM idempotency_keys WHERE workspace = :workspace AND agent = :agent AND idem_key = :key")
                .bind("workspace", workspace).bind("agent", agent).bind("key", key)
                .map((rs, ctx) -> {
                    Instant expires = UtcTimestamps.read(rs, "expires_at");
                    Instant claimed = UtcTimestamps.read(rs, "claimed_at");
                    String digest = rs.getString("request_digest");
                    if (!now.isBefore(expires)) {
                        return Optional.<Claim>empty();
                    }
                    if (DONE.equals(rs.getString("state"))) {
                        return Optional.<Claim>of(new Answered(digest, rs.getInt("answer_status"), rs.getString("answer_body")));
                    }
                    return claimed.isAfter(now.minus(abandonedAfter)) ? Optional.<Claim>of(new InProgress(digest))
                            : Optional.<Claim>empty();
                })
                .findOne()
                .flatMap(claim -> claim);
    }

    @Override
    public void complete(String workspace, String agent, String key, int status, String body) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE idempotency_keys SET state = :done, answer_status = :status,"
                        + " answer_body = :body WHERE workspace = :workspace AND agent = :agent AND idem_key = :key")
                .bind("done", DONE).bind("status", status).bind("body", body)
                .bind("workspace", workspace).bind("agent", agent).bind("key", key)
                .execute());
    }

    @Override
    public void release(String workspace, String agent, String key) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM idempotency_keys"
                        + " WHERE workspace = :workspace AND agent = :agent AND idem_key = :key AND state = :pending")
                .bind("workspace", workspace).bind("agent", agent).bind("key", key).bind("pending", PENDING)
                .execute());
    }

    @Override
    public int purgeExpired(Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM idempotency_keys WHERE expires_at <= :now")
                .bind("now", now)
                .execute());
    }
}
