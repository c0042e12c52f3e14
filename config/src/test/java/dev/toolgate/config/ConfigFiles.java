package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes YAML fixtures as {@code toolgate.yaml} and loads them, so messages read as an operator sees them. */
final class ConfigFiles {
    /** A keys section that passes validation, for fixtures about other sections. */
    static final String ONE_KEY = """
            keys:
              - { name: bot, key: abcdefghijklmnop1234, role: agent }
            """;

    private ConfigFiles() {
    }

    static Path write(Path dir, String yaml) {
        try {
            return Files.writeString(dir.resolve("toolgate.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Config load(Path dir, String yaml) throws ConfigException {
        return ConfigLoader.load(write(dir, yaml), Map.of());
    }

    static Config load(Path dir, String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.load(write(dir, yaml), env);
    }

    /** Every problem as printed, in file order; fails when the file loads. */
    static List<String> problems(Path dir, String yaml) {
        return problems(dir, yaml, Map.of());
    }

    static List<String> problems(Path dir, String yaml, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(write(dir, yaml), env));
        assertThat(e).as("expected the file to be refused").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }
}
