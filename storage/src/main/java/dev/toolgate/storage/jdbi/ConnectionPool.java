package dev.toolgate.storage.jdbi;

import dev.toolgate.storage.StorageSettings;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/** The DataSource for a storage URL and how to release it: H2's own pool, or plain DriverManager connections. */
final class ConnectionPool implements AutoCloseable {
    private static final int H2_MAX_CONNECTIONS = 16;

    private final DataSource dataSource;
    private final Runnable release;

    private ConnectionPool(DataSource dataSource, Runnable release) {
        this.dataSource = dataSource;
        this.release = release;
    }

    static ConnectionPool forSettings(StorageSettings settings) {
        if (settings.url().startsWith("jdbc:h2:")) {
            JdbcConnectionPool pool = JdbcConnectionPool.create(settings.url(), settings.user(), settings.password());
            pool.setMaxConnections(H2_MAX_CONNECTIONS);
            return new ConnectionPool(pool, pool::dispose);
        }
        // Other databases (PostgreSQL) will get a real pool when they are supported.
        return new ConnectionPool(new DriverManagerDataSource(settings), () -> { });
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        release.run();
    }

    /** A new connection per request; adequate until non-H2 databases get a pool. */
    private static final class DriverManagerDataSource implements DataSource {
        private final StorageSettings settings;

        DriverManagerDataSource(StorageSettings settings) {
            this.settings = settings;
        }

        @Override
        public Connection getConnection() throws SQLException {
            // An empty user means "none given": let the URL (or the driver's defaults) decide.
            return settings.user().isEmpty() && settings.password().isEmpty()
                    ? DriverManager.getConnection(settings.url())
                    : DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return DriverManager.getConnection(settings.url(), username, password);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // DriverManager's log writer is JVM-wide; one data source must not change it.
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // Same reason: DriverManager's login timeout is JVM-wide.
        }

        @Override
        public int getLoginTimeout() {
            return DriverManager.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException("no parent logger");
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            if (type.isInstance(this)) {
                return type.cast(this);
            }
            throw new SQLException("not a wrapper for " + type.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return type.isInstance(this);
        }
    }
}
