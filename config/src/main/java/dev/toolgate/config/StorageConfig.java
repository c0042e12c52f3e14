package dev.toolgate.config;

import java.time.Duration;

/**
 * The {@code storage} section: a JDBC URL (embedded H2 by default, PostgreSQL for several instances).
 *
 * @param timeout how long a decision waits for the database before the gateway fails closed (503, nothing released)
 * @param durability whether audit events are synced to the disk before the calls they record are released
 */
public record StorageConfig(String url, String user, String password, Duration timeout, Durability durability) {
    /** {@code timeout} when the file does not set it. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final StorageConfig DEFAULTS = new StorageConfig("jdbc:h2:file:./data/toolgate", "sa", "");

    /** With the default timeout and durability. */
    public StorageConfig(String url, String user, String password) {
        this(url, user, password, DEFAULT_TIMEOUT, Durability.SYNC);
    }

    @Override
    public String toString() {
        return "StorageConfig[url=" + url + ", user=" + user + ", password=" + Secrets.mask(password) + ", timeout=" + timeout
                + ", durability=" + durability.wireName() + "]";
    }
}
