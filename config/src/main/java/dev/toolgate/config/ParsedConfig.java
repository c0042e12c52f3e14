package dev.toolgate.config;

import dev.toolgate.config.internal.ConfigBinder;
import dev.toolgate.config.internal.Problems;

/**
 * A {@code toolgate.yaml} read and checked except for its rules' CEL conditions: {@link #storage()}
 * is final, {@link #compile()} finishes the load. From {@link ConfigLoader#read}.
 */
public final class ParsedConfig {
    private final ConfigBinder.Bound bound;
    private final Problems problems;
    private Config config;
    private ConfigException failure;

    ParsedConfig(ConfigBinder.Bound bound, Problems problems) {
        this.bound = bound;
        this.problems = problems;
    }

    /** The storage section, which needs no compiling. */
    public StorageConfig storage() {
        return bound.storage();
    }

    /** Compiles the rules (once); throws naming every rule that does not compile, at its line in the file. */
    public synchronized Config compile() throws ConfigException {
        if (config == null && failure == null) {
            Config compiled = bound.compile();
            if (problems.isEmpty()) {
                ConfigLoader.warnAboutDevelopmentKeys(compiled);
                config = compiled;
            } else {
                failure = new ConfigException(problems.inFileOrder());
            }
        }
        if (failure != null) {
            throw failure;
        }
        return config;
    }
}
