package dev.toolgate.storage.internal;

import dev.toolgate.storage.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The databases Toolgate runs on, told apart by their JDBC URL: where their SQL differs (schema
 * migrations, locks, syncing to disk) the code asks which one it has.
 */
public enum Database {
    H2("h2"),
    POSTGRESQL("postgresql");

    /** Flyway's name for it, and the folder of its own migrations ({@code db/<vendor>}). */
    private final String vendor;

    Database(String vendor) {
        this.vendor = vendor;
    }

    public String vendor() {
        return vendor;
    }

    /** The database a connection is to, by the product name its driver reports. */
    public static Database of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        return product.contains("postgres") ? POSTGRESQL : H2;
    }

    public static Database of(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new StorageException("storage.url: " + url.split("[?;]", 2)[0]
                + " (expected: jdbc:h2:... for the embedded database or jdbc:postgresql://host:5432/db)");
    }
}
