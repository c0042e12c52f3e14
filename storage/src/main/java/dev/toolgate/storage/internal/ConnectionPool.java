package dev.toolgate.storage.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StorageSettings;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The pooled DataSource for a storage URL (HikariCP), for embedded H2 and for PostgreSQL.
 *
 * <p>Every connection is checked before it is lent ({@code aliveBypassWindowMs=0}) and one that
 * failed as broken is dropped at once ({@link BrokenConnections}), so the gateway recovers by
 * itself, from the first request, when a database server comes back. Waiting for a free
 * connection is bounded by the storage timeout.
 */
public final class ConnectionPool implements AutoCloseable {
    private static final int MAX_CONNECTIONS = 16;
    private static final Duration MIN_HIKARI_TIMEOUT = Duration.ofMillis(250);

    static {
        // HikariCP reads it once, when its pool class loads: 0 checks a connection on every borrow.
        if (System.getProperty("com.zaxxer.hikari.aliveBypassWindowMs") == null) {
            System.setProperty("com.zaxxer.hikari.aliveBypassWindowMs", "0");
        }
    }

    private final HikariDataSource dataSource;
    private final Database database;

    private ConnectionPool(HikariDataSource dataSource, Database database) {
        this.dataSource = dataSource;
        this.database = database;
    }

    public static ConnectionPool forSettings(StorageSettings settings) {
        Database database = Database.of(settings.url());
        HikariConfig config = new HikariConfig();
        config.setPoolName("toolgate-storage");
        config.setJdbcUrl(database == Database.H2 ? durableH2Url(settings.url()) : settings.url());
        // An empty user means "none given": let the URL (or the driver's defaults) decide.
        if (!settings.user().isEmpty() || !settings.password().isEmpty()) {
            config.setUsername(settings.user());
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(MAX_CONNECTIONS);
        config.setMinimumIdle(2);
        Duration timeout = settings.timeout().compareTo(MIN_HIKARI_TIMEOUT) < 0 ? MIN_HIKARI_TIMEOUT : settings.timeout();
        config.setConnectionTimeout(timeout.toMillis());
        config.setValidationTimeout(Math.max(MIN_HIKARI_TIMEOUT.toMillis(), Math.min(5_000, timeout.toMillis() - 1)));
        config.setExceptionOverride(new BrokenConnections());
        try {
            return new ConnectionPool(new HikariDataSource(config), database);
        } catch (RuntimeException e) {
            throw new StorageException("cannot open the database at " + settings.displayUrl() + ": "
                    + SqlErrors.describe(e), e);
        }
    }

    /**
     * An embedded H2 database acknowledges a commit before writing it: changes wait in memory for
     * up to {@code WRITE_DELAY} (500 ms by default), and a {@code kill -9} loses them. An allowed
     * tool call is released once its audit event is committed, so the commit must be written by
     * then: embedded databases are opened with {@code WRITE_DELAY=0} unless the URL says otherwise.
     * Server URLs (tcp, ssl) are left alone: the server's durability is its own setting.
     */
    public static String durableH2Url(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        boolean embeddedFile = !lower.startsWith("jdbc:h2:mem:") && !lower.startsWith("jdbc:h2:tcp:")
                && !lower.startsWith("jdbc:h2:ssl:") && !lower.startsWith("jdbc:h2:zip:");
        if (!embeddedFile || lower.contains(";write_delay=")) {
            return url;
        }
        return url + (url.endsWith(";") ? "" : ";") + "WRITE_DELAY=0";
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /**
     * Tells HikariCP which failures mean the connection is gone: PostgreSQL's say so with SQLState
     * class 08, which it knows; H2's use codes of their own (connection broken, database closed).
     */
    private static final class BrokenConnections implements SQLExceptionOverride {
        private static final Set<String> H2_BROKEN = Set.of("90067", "90098", "90121");

        @java.lang.Override
        public Override adjudicate(SQLException failure) {
            for (SQLException e = failure; e != null; e = e.getNextException()) {
                if (e.getSQLState() != null && H2_BROKEN.contains(e.getSQLState())) {
                    return Override.MUST_EVICT;
                }
            }
            return Override.CONTINUE_EVICT;
        }
    }
}
