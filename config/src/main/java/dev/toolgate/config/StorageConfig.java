package dev.toolgate.config;

/** The {@code storage} section: a JDBC URL (embedded H2 by default, PostgreSQL for several instances). */
public record StorageConfig(String url, String user, String password) {

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final StorageConfig DEFAULTS = new StorageConfig("jdbc:h2:file:./data/toolgate", "sa", "");

    @Override
    public String toString() {
        return "StorageConfig[url=" + url + ", user=" + user + ", password=" + Secrets.mask(password) + "]";
    }
}
