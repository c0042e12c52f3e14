package dev.toolgate.proxy.cli;

import dev.toolgate.config.Durability;
import dev.toolgate.config.StorageConfig;
import dev.toolgate.storage.StorageSettings;
import picocli.CommandLine.Option;

/** {@code --storage URL} with optional credentials: the database to read instead of the one a config file names. */
final class StorageOptions {
    @Option(names = "--storage", paramLabel = "URL",
            description = "JDBC URL of the gateway's database, e.g. jdbc:postgresql://db:5432/toolgate (default: the config's storage.url)")
    String url;

    @Option(names = "--user", paramLabel = "USER", description = "Database user for --storage (default: sa, as the config's storage.user)")
    String user = StorageConfig.DEFAULTS.user();

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "Database password for --storage (default: none). Other users of the machine can see a command line:"
                    + " prefer --config, whose file can take it from an environment variable")
    String password;

    boolean given() {
        return url != null;
    }

    /** The database of {@code --storage} when given, else the configured one; {@code configured} may be null only when given. */
    StorageSettings settings(StorageConfig configured) {
        if (url != null) {
            return new StorageSettings(url, user, password);
        }
        return new StorageSettings(configured.url(), configured.user(), configured.password(), configured.timeout(),
                configured.durability() == Durability.SYNC);
    }
}
