package dev.toolgate.storage;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A real data source (H2 or PostgreSQL, by URL) whose connections a test can hold back (to make the
 * audit writer wait) or refuse (to simulate an unreachable database).
 */
public final class GatedDataSource implements DataSource {
    private final String url;
    private final Semaphore waiting = new Semaphore(0);
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile boolean refusing;

    public GatedDataSource(String url) {
        this.url = url;
    }

    /** Connections requested from now on wait until {@link #open()}. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void open() {
        gate.countDown();
    }

    /** Waits until some caller is blocked in {@link #getConnection()}. */
    public void awaitWaiter() throws InterruptedException {
        if (!waiting.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("nobody asked for a connection within 10 s");
        }
    }

    public void refuseConnections(boolean refusing) {
        this.refusing = refusing;
    }

    @Override
    public Connection getConnection() throws SQLException {
        CountDownLatch current = gate;
        if (current.getCount() > 0) {
            waiting.release();
            try {
                current.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while held", e);
            }
        }
        if (refusing) {
            throw new SQLException("Connection refused (simulated outage)", "08001");
        }
        return DriverManager.getConnection(url);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }
}
