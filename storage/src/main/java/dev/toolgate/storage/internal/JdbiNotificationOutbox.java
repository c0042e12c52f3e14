package dev.toolgate.storage.internal;

import dev.toolgate.storage.NotificationOutbox;
import dev.toolgate.storage.OutboxEntry;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** {@link NotificationOutbox} on the {@code notification_outbox} table. */
public final class JdbiNotificationOutbox implements NotificationOutbox {
    private static final int MAX_ERROR = 500;

    private final Jdbi jdbi;

    public JdbiNotificationOutbox(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void enqueue(OutboxEntry entry) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO notification_outbox (id, target_name, target_type,"
                        + " target_config, signing_secret, payload, attempts, next_attempt_at, created_at)"
                        + " VALUES (:id, :name, :type, :config, :secret, :payload, :attempts, :next, :created)")
                .bind("id", entry.id())
                .bind("name", entry.targetName())
                .bind("type", entry.targetType())
                .bind("config", entry.targetConfig())
                .bind("secret", entry.signingSecret())
                .bind("payload", entry.payload())
                .bind("attempts", entry.attempts())
                .bind("next", entry.nextAttemptAt())
                .bind("created", entry.createdAt())
                .execute());
    }

    @Override
    public List<OutboxEntry> due(Instant now, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, target_name, target_type, target_config, signing_secret,"
                        + " payload, attempts, next_attempt_at, created_at FROM notification_outbox"
                        + " WHERE finished_at IS NULL AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit")
                .bind("now", now)
                .bind("limit", limit)
                .map((rs, ctx) -> new OutboxEntry(rs.getString("id"), rs.getString("target_name"), rs.getString("target_type"),
                        rs.getString("target_config"), rs.getString("signing_secret"), rs.getString("payload"),
                        rs.getInt("attempts"), UtcTimestamps.read(rs, "next_attempt_at"), UtcTimestamps.read(rs, "created_at")))
                .list());
    }

    @Override
    public long unfinished() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM notification_outbox WHERE finished_at IS NULL")
                .mapTo(Long.class)
                .one());
    }

    @Override
    public void delivered(String id, int attempts, Instant at) {
        finish(id, attempts, at, null);
    }

    @Override
    public void retryAt(String id, int attempts, Instant next, String error) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE notification_outbox SET attempts = :attempts, next_attempt_at = :next,"
                        + " last_error = :error WHERE id = :id AND finished_at IS NULL")
                .bind("id", id)
                .bind("attempts", attempts)
                .bind("next", next)
                .bind("error", truncated(error))
                .execute());
    }

    @Override
    public void gaveUp(String id, int attempts, Instant at, String error) {
        finish(id, attempts, at, error);
    }

    private void finish(String id, int attempts, Instant at, String error) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE notification_outbox SET attempts = :attempts, finished_at = :at,"
                        + " last_error = :error WHERE id = :id AND finished_at IS NULL")
                .bind("id", id)
                .bind("attempts", attempts)
                .bind("at", at)
                .bind("error", truncated(error))
                .execute());
    }

    private static String truncated(String error) {
        return error == null || error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR);
    }
}
