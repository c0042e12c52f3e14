package dev.toolgate.config;

import dev.toolgate.config.internal.ConfigBinder;
import dev.toolgate.config.internal.Interpolator;
import dev.toolgate.config.internal.NodeReader;
import dev.toolgate.config.internal.Problems;
import dev.toolgate.config.internal.YamlSource;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.nodes.Node;

/** Loads {@code toolgate.yaml} into a validated {@link Config}, or reports everything wrong with it. */
public final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    private ConfigLoader() {
    }

    /** Loads {@code file}, interpolating {@code ${VAR}} from the process environment. */
    public static Config load(Path file) throws ConfigException {
        return load(file, System.getenv());
    }

    /** Loads {@code file}, interpolating {@code ${VAR}} from {@code environment}. */
    public static Config load(Path file, Map<String, String> environment) throws ConfigException {
        return read(file, environment).compile();
    }

    /**
     * Reads {@code file} up to, not including, compiling its rules' CEL conditions (the slow step):
     * what {@link #load} does, in two steps, so that startup can open the database meanwhile.
     * Throws as {@link #load} would when anything but a condition is wrong, conditions included.
     */
    public static ParsedConfig read(Path file, Map<String, String> environment) throws ConfigException {
        Path fileName = file.getFileName();
        Problems problems = new Problems(fileName == null ? file.toString() : fileName.toString());
        Node root = YamlSource.compose(file, problems);
        if (problems.isEmpty()) {
            ConfigBinder.Bound bound = new ConfigBinder(new NodeReader(problems, new Interpolator(environment))).bind(root);
            if (problems.isEmpty()) {
                return new ParsedConfig(bound, problems);
            }
            if (bound != null) {
                // Bad conditions are reported along with the other problems: one pass fixes the file.
                bound.compile();
            }
        }
        throw new ConfigException(problems.inFileOrder());
    }

    static void warnAboutDevelopmentKeys(Config config) {
        for (KeyConfig key : config.keys()) {
            if (key.development()) {
                // The development key is derived from the name, so printing it gives nothing away.
                LOG.warn("Gateway key '{}' has no value in the configuration; using the development key '{}' instead. "
                        + "Anyone who knows the key's name can use it: do not use this in production, set a key of at least {} characters.",
                        key.name(), KeyConfig.developmentKey(key.name()), KeyConfig.MIN_KEY_LENGTH);
            }
        }
    }
}
