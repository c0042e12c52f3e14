package dev.toolgate.storage.jdbi;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** An embedded H2 database whose connections a test can hold back (they wait) or refuse (they fail). */
final class ControlledDataSource implements DataSource {
    private final JdbcDataSource h2 = new JdbcDataSource();
    private final Semaphore gate = new Semaphore(Integer.MAX_VALUE);

    private volatile boolean refusing;

    ControlledDataSource(String url) {
        h2.setURL(url);
    }

    void hold() throws InterruptedException {
        gate.acquire(Integer.MAX_VALUE);
    }

    void release() {
        gate.release(Integer.MAX_VALUE);
    }

    /** While refusing, new connections fail as if the database were down. */
    void refuse(boolean refusing) {
        this.refusing = refusing;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (refusing) {
            throw new SQLException("Connection refused (test: the database is down)", "08001");
        }
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        }
        gate.release();
        return h2.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
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
    public Logger getParentLogger() {
        return Logger.getGlobal();
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
