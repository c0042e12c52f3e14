package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.toolgate.policy.Action;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfigLoader#read} then {@link ParsedConfig#compile()}: the same outcome as {@link ConfigLoader#load}, in two steps. */
class ParsedConfigTest {
    private static final String STORAGE = """
            storage:
              url: "jdbc:h2:mem:parsed"
              user: tg
            """;

    @TempDir
    Path dir;

    @Test
    void storageIsKnownBeforeTheRulesCompile() throws ConfigException {
        ParsedConfig parsed = ConfigLoader.read(write(dir, ONE_KEY + STORAGE + """
                rules:
                  - { id: big, tools: [pay], when: "args.amount > 1000", action: approve }
                """), Map.of());

        assertThat(parsed.storage().url()).isEqualTo("jdbc:h2:mem:parsed");
        assertThat(parsed.storage().user()).isEqualTo("tg");

        Config config = parsed.compile();
        assertThat(config.storage()).isEqualTo(parsed.storage());
        assertThat(config.ruleSet().rules()).extracting(rule -> rule.id()).containsExactly("big");
        assertThat(config.rules().get(0).action()).isEqualTo(Action.APPROVE);
    }

    @Test
    void compilesToWhatLoadReturns() throws ConfigException {
        Path file = write(dir, ONE_KEY + STORAGE + """
                rules:
                  - { id: a, tools: [pay], when: "args.amount > 1000", action: warn }
                  - { id: b, tools: ["db_*"], action: block }
                """);

        Config loaded = ConfigLoader.load(file, Map.of());
        Config compiled = ConfigLoader.read(file, Map.of()).compile();

        assertThat(compiled.ruleSet().version()).isEqualTo(loaded.ruleSet().version());
        assertThat(compiled).usingRecursiveComparison().ignoringFields("ruleSet").isEqualTo(loaded);
    }

    @Test
    void aConditionThatDoesNotCompileFailsTheCompileAtItsLine() throws ConfigException {
        ParsedConfig parsed = ConfigLoader.read(write(dir, ONE_KEY + STORAGE + """
                rules:
                  - { id: fine, tools: [pay], when: "args.amount > 1", action: warn }
                  - { id: broken, tools: [pay], when: "args.amount >", action: block }
                """), Map.of());

        ConfigException e = catchThrowableOfType(ConfigException.class, parsed::compile);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(8);
            assertThat(problem.toString()).startsWith("toolgate.yaml:8:").contains("rules[1].when: CEL does not compile");
        });
        // Asking again gives the same answer rather than compiling (and reporting) twice.
        assertThat(catchThrowableOfType(ConfigException.class, parsed::compile)).isSameAs(e);
    }

    @Test
    void otherProblemsAreReportedByReadTogetherWithBadConditions() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.read(write(dir, ONE_KEY + """
                server:
                  port: many
                rules:
                  - { id: broken, tools: [pay], when: "args.amount >", action: block }
                """), Map.of()));

        assertThat(e.problems()).extracting(ConfigProblem::toString).satisfiesExactly(
                port -> assertThat(port).startsWith("toolgate.yaml:4:9: server.port:"),
                rule -> assertThat(rule).startsWith("toolgate.yaml:6:").contains("rules[0].when: CEL does not compile"));
    }
}
