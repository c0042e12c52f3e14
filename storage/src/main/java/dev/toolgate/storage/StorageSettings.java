package dev.toolgate.storage;

import java.time.Duration;

/**
 * Where the database lives: a JDBC URL ({@code jdbc:h2:file:./data/toolgate}, later
 * {@code jdbc:postgresql://...}), optional credentials (null is the same as empty), and how long
 * a caller waits for the database before its operation fails.
 *
 * @param timeout the longest an audit append waits for its commit, or a caller for a connection;
 *     past it the operation fails with {@link StorageException} instead of hanging with the database
 * @param syncWrites audit events written on this machine (the embedded database's journal) are
 *     forced to the disk before an append completes, so they survive a power loss
 *     ({@code storage.durability: sync}); false hands them to the operating system only ({@code os})
 */
public record StorageSettings(String url, String user, String password, Duration timeout, boolean syncWrites) {
    /** {@link #timeout()} unless configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public StorageSettings {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(
                    "storage.url: '" + (url == null ? "" : url) + "' (expected: a JDBC URL such as jdbc:h2:file:./data/toolgate)");
        }
        if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("storage.url: " + url + " (expected: a JDBC URL starting with jdbc:)");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("storage.timeout: " + timeout + " (expected: a positive duration)");
        }
    }

    /** Writes synced to the disk. */
    public StorageSettings(String url, String user, String password, Duration timeout) {
        this(url, user, password, timeout, true);
    }

    /** With the default timeout, writes synced to the disk. */
    public StorageSettings(String url, String user, String password) {
        this(url, user, password, DEFAULT_TIMEOUT);
    }

    /** Settings for a database that needs no credentials, such as embedded H2. */
    public static StorageSettings of(String url) {
        return new StorageSettings(url, "", "");
    }

    /** The same database with another timeout. */
    public StorageSettings withTimeout(Duration timeout) {
        return new StorageSettings(url, user, password, timeout, syncWrites);
    }

    /** The URL without its parameters, safe to log: a parameter may carry a password. */
    public String displayUrl() {
        int cut = url.length();
        for (char separator : new char[] {'?', ';'}) {
            int at = url.indexOf(separator);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return url.substring(0, cut);
    }

    @Override
    public String toString() {
        return "StorageSettings[url=" + displayUrl() + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                + ", timeout=" + timeout + ", syncWrites=" + syncWrites + "]";
    }
}
