package dev.toolgate.storage.testing;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The database the storage and gateway tests run on: a private in-memory H2 database, or with
 * {@code -Dtoolgate.test.database=postgresql} (the build's second test run) a fresh schema on the
 * real PostgreSQL server of {@link PostgresServer}.
 */
public final class TestDatabases {
    private TestDatabases() {
    }

    public static boolean onPostgres() {
        return "postgresql".equals(System.getProperty("toolgate.test.database", "h2").toLowerCase(Locale.ROOT));
    }

    /** A fresh, empty database that outlives its connections, so a test can reopen it. */
    public static String freshUrl() {
        if (onPostgres()) {
            return postgres().freshUrl();
        }
        return "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    /** The PostgreSQL test server; the calling test is skipped (with how to install it) when there is none. */
    public static PostgresServer postgres() {
        var server = PostgresServer.shared();
        Assumptions.assumeTrue(server.isPresent(), PostgresServer.INSTALL_HINT);
        return server.get();
    }
}
