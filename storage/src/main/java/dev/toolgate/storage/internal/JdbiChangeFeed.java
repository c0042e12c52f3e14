package dev.toolgate.storage.internal;

import dev.toolgate.storage.ChangeFeed;
import dev.toolgate.storage.StorageSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChangeFeed} on {@code change_versions}. On PostgreSQL one connection of its own, outside
 * the pool, LISTENs on {@link ChangeVersions#CHANNEL}; when it breaks it is opened again at the next
 * wait, and until then waiting is plain sleeping (the versions are read after every wait anyway).
 */
public final class JdbiChangeFeed implements ChangeFeed {
    private static final Logger log = LoggerFactory.getLogger(JdbiChangeFeed.class);

    private final Jdbi jdbi;
    private final StorageSettings settings;
    private final Database database;
    /** Used by the one thread that waits. */
    private Connection listener;
    private volatile boolean closed;

    public JdbiChangeFeed(Jdbi jdbi, StorageSettings settings, Database database) {
        this.jdbi = jdbi;
        this.settings = settings;
        this.database = database;
    }

    @Override
    public Map<Topic, Long> versions() {
        return jdbi.withHandle(handle -> {
            Map<Topic, Long> versions = new EnumMap<>(Topic.class);
            handle.createQuery("SELECT topic, version FROM change_versions")
                    .map((rs, ctx) -> Map.entry(rs.getString("topic"), rs.getLong("version")))
                    .forEach(row -> {
                        for (Topic topic : Topic.values()) {
                            if (topic.key().equals(row.getKey())) {
                                versions.put(topic, row.getValue());
                            }
                        }
                    });
            return versions;
        });
    }

    @Override
    public void awaitAnnouncement(Duration timeout) throws InterruptedException {
        if (database != Database.POSTGRESQL || closed) {
            Thread.sleep(timeout.toMillis());
            return;
        }
        try {
            if (listener == null || listener.isClosed()) {
                listener = listen();
            }
            // Returns as soon as one arrives; all that arrived are taken, one read of the versions covers them.
            listener.unwrap(PGConnection.class).getNotifications((int) Math.max(1, timeout.toMillis()));
        } catch (SQLException e) {
            log.debug("Change announcements unavailable ({}); reading the versions on a timer until they are back",
                    SqlErrors.describe(e));
            closeListener();
            Thread.sleep(timeout.toMillis());
        }
    }

    private Connection listen() throws SQLException {
        Connection connection = settings.user().isEmpty() && settings.password().isEmpty()
                ? DriverManager.getConnection(settings.url())
                : DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + ChangeVersions.CHANNEL);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private void closeListener() {
        if (listener != null) {
            try {
                listener.close();
            } catch (SQLException ignored) {
                // broken already
            }
            listener = null;
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
