package dev.toolgate.storage.jdbi;

import dev.toolgate.storage.StorageSettings;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The DataSource for a storage URL and how to release it: a small pool for H2, plain DriverManager
 * connections otherwise.
 *
 * <p>The H2 pool checks a connection before lending it and drops it when it is broken, so that
 * the gateway recovers by itself when a database server comes back (H2's own
 * {@code JdbcConnectionPool} keeps broken connections and fails one borrower for each). Waiting
 * for a free connection is bounded by the storage timeout.
 */
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
            StorageSettings durable = new StorageSettings(durableH2Url(settings.url()), settings.user(), settings.password(),
                    settings.timeout(), settings.syncWrites());
            ValidatingPool pool = new ValidatingPool(new DriverManagerDataSource(durable), H2_MAX_CONNECTIONS, settings.timeout());
            return new ConnectionPool(pool, pool::close);
        }
        // Other databases (PostgreSQL) will get a real pool when they are supported.
        return new ConnectionPool(new DriverManagerDataSource(settings), () -> { });
    }

    /**
     * An embedded H2 database acknowledges a commit before writing it: changes wait in memory for
     * up to {@code WRITE_DELAY} (500 ms by default), and a {@code kill -9} loses them. An allowed
     * tool call is released once its audit event is committed, so the commit must be on disk by
     * then: embedded databases are opened with {@code WRITE_DELAY=0} unless the URL says otherwise.
     * Server URLs (tcp, ssl) are left alone: the server's durability is its own setting.
     */
    static String durableH2Url(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        boolean embeddedFile = !lower.startsWith("jdbc:h2:mem:") && !lower.startsWith("jdbc:h2:tcp:")
                && !lower.startsWith("jdbc:h2:ssl:") && !lower.startsWith("jdbc:h2:zip:");
        if (!embeddedFile || lower.contains(";write_delay=")) {
            return url;
        }
        return url + (url.endsWith(";") ? "" : ";") + "WRITE_DELAY=0";
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        release.run();
    }

    /**
     * Lends at most {@code maxConnections} connections, each checked first. A connection comes
     * back through {@link Connection#close()}; one that is closed, broken or cannot be reset is
     * discarded instead of kept, so no borrower is handed a connection to a database that restarted.
     */
    static final class ValidatingPool implements DataSource {
        private static final org.slf4j.Logger log = LoggerFactory.getLogger(ValidatingPool.class);

        private final DataSource connections;
        private final Semaphore permits;
        private final long borrowTimeoutNanos;
        private final int validationSeconds;
        private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
        private volatile boolean closed;

        ValidatingPool(DataSource connections, int maxConnections, Duration borrowTimeout) {
            this.connections = connections;
            this.permits = new Semaphore(maxConnections, true);
            this.borrowTimeoutNanos = borrowTimeout.toNanos();
            this.validationSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, borrowTimeout.toSeconds()));
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (closed) {
                throw new SQLException("the connection pool is closed", "08003");
            }
            acquirePermit();
            try {
                Connection physical = takeUsableIdle();
                return lend(physical != null ? physical : connections.getConnection());
            } catch (SQLException | RuntimeException | Error e) {
                permits.release();
                throw e;
            }
        }

        private void acquirePermit() throws SQLException {
            try {
                if (!permits.tryAcquire(borrowTimeoutNanos, TimeUnit.NANOSECONDS)) {
                    throw new SQLTransientConnectionException("no database connection became free within "
                            + TimeUnit.NANOSECONDS.toMillis(borrowTimeoutNanos) + " ms: every connection is busy"
                            + " (is the database slow or hanging?)", "08001");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLTransientConnectionException("interrupted while waiting for a database connection", "08001", e);
            }
        }

        /** The most recently returned connection that still works; broken ones are closed on the way. */
        private Connection takeUsableIdle() {
            for (Connection candidate; (candidate = idle.pollFirst()) != null; ) {
                if (usable(candidate)) {
                    return candidate;
                }
                log.debug("discarding a broken pooled database connection");
                closeQuietly(candidate);
            }
            return null;
        }

        private boolean usable(Connection connection) {
            try {
                return !connection.isClosed() && connection.isValid(validationSeconds);
            } catch (SQLException | RuntimeException e) {
                return false;
            }
        }

        private Connection lend(Connection physical) {
            return (Connection) Proxy.newProxyInstance(ValidatingPool.class.getClassLoader(), new Class<?>[] {Connection.class},
                    new Lent(physical));
        }

        private void giveBack(Connection physical) {
            try {
                if (!closed && reset(physical)) {
                    idle.offerFirst(physical);
                    if (closed) {
                        closeIdle();  // close() ran meanwhile and may have missed this one
                    }
                } else {
                    closeQuietly(physical);
                }
            } finally {
                permits.release();
            }
        }

        /** Leaves a connection as a new borrower expects it: open, no transaction, auto-commit on. */
        private static boolean reset(Connection physical) {
            try {
                if (physical.isClosed()) {
                    return false;
                }
                if (!physical.getAutoCommit()) {
                    physical.rollback();
                    physical.setAutoCommit(true);
                }
                return true;
            } catch (SQLException | RuntimeException e) {
                return false;
            }
        }

        void close() {
            closed = true;
            closeIdle();
        }

        private void closeIdle() {
            for (Connection connection; (connection = idle.pollFirst()) != null; ) {
                closeQuietly(connection);
            }
        }

        private static void closeQuietly(Connection connection) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException e) {
                log.debug("closing a database connection failed: {}", e.toString());
            }
        }

        /** The borrower's view of a pooled connection: {@code close()} gives it back, once. */
        private final class Lent implements InvocationHandler {
            private final Connection physical;
            private final AtomicBoolean returned = new AtomicBoolean();

            Lent(Connection physical) {
                this.physical = physical;
            }

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                switch (method.getName()) {
                    case "close":
                        if (returned.compareAndSet(false, true)) {
                            giveBack(physical);
                        }
                        return null;
                    case "isClosed":
                        return returned.get() || physical.isClosed();
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "toString":
                        return "pooled " + physical;
                    default:
                        break;
                }
                if (returned.get()) {
                    throw new SQLException("this connection was already returned to the pool", "08003");
                }
                try {
                    return method.invoke(physical, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("the pool lends connections of its configured user only");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // Logging goes through SLF4J.
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // The borrow timeout bounds waiting; connecting is bounded by the driver.
        }

        @Override
        public int getLoginTimeout() {
            return 0;
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
