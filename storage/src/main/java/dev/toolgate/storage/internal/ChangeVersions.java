package dev.toolgate.storage.internal;

import dev.toolgate.storage.ChangeFeed.Topic;
import dev.toolgate.storage.StorageException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;

/**
 * Moves a topic's version in {@code change_versions}, inside the transaction that changes the
 * state, and on PostgreSQL announces it ({@code NOTIFY toolgate_changes}, delivered at commit).
 */
final class ChangeVersions {
    static final String CHANNEL = "toolgate_changes";

    private ChangeVersions() {
    }

    static void bump(Handle handle, Topic topic) {
        handle.createUpdate("UPDATE change_versions SET version = version + 1 WHERE topic = :topic")
                .bind("topic", topic.key())
                .execute();
        try {
            if (Database.of(handle.getConnection()) == Database.POSTGRESQL) {
                try (PreparedStatement notify = handle.getConnection().prepareStatement("SELECT pg_notify(?, ?)")) {
                    notify.setString(1, CHANNEL);
                    notify.setString(2, topic.key());
                    notify.execute();
                }
            }
        } catch (SQLException e) {
            throw new StorageException("cannot announce a change of " + topic.key() + ": " + SqlErrors.describe(e), e);
        }
    }
}
