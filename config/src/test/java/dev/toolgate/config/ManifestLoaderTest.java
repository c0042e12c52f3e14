package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy manifest is read by the config loader's binders: the same rules, the same problems at the same places. */
class ManifestLoaderTest {
    private static final String BROKEN = """
            policy:
              default: allow
              on_error: sometimes
            rules:
              - id: shell
                tools: [run_shell]
                action: explode
              - id: transfers
                tools: [wire_transfer]
                when: "args.amount >"
                action: approve
              - id: shell
                tools: []
                action: block
            """;

    @TempDir
    Path dir;

    @Test
    void aBrokenManifestHasTheProblemsTheFileWouldHaveAtTheSameLinesAndColumns() {
        List<ConfigProblem> fromFile = problems(() -> ConfigFiles.load(dir, BROKEN + ConfigFiles.ONE_KEY));
        List<ConfigProblem> fromManifest = problems(() -> ManifestLoader.read(BROKEN, "manifest"));

        assertThat(fromManifest).hasSizeGreaterThanOrEqualTo(4);
        assertThat(fromManifest).allSatisfy(problem -> assertThat(problem.file()).isEqualTo("manifest"));
        assertThat(fromManifest).extracting(p -> p.line() + ":" + p.column() + " " + p.path() + ": " + p.message())
                .containsExactlyElementsOf(fromFile.stream().map(p -> p.line() + ":" + p.column() + " " + p.path() + ": " + p.message()).toList());
    }

    @Test
    void jsonIsAManifestTooAndOtherSectionsAreRefused() throws Exception {
        PolicyManifest manifest = ManifestLoader.read("""
                {"policy": {"default": "block", "blocked_tools": ["drop_database"]},
                 "rules": [{"id": "reads", "tools": ["read_*"], "action": "allow"}]}
                """, "manifest");

        assertThat(manifest.policy().defaultAction().wireName()).isEqualTo("block");
        assertThat(manifest.policy().blockedTools()).containsExactly("drop_database");
        assertThat(manifest.rules()).extracting(rule -> rule.id()).containsExactly("reads");
        assertThat(problems(() -> ManifestLoader.read("keys: []\nrules: []\n", "manifest")))
                .extracting(ConfigProblem::toString).singleElement().asString().startsWith("manifest:1:1: keys: unknown key 'keys'");
        assertThat(problems(() -> ManifestLoader.read("rules: [${SECRET}]\n", "manifest"))).isNotEmpty();
    }

    private interface Load {
        Object run() throws ConfigException;
    }

    private static List<ConfigProblem> problems(Load load) {
        try {
            load.run();
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the load to fail");
    }

    @Test
    void anEmptyManifestIsAProblem() {
        assertThatThrownBy(() -> ManifestLoader.read("", "manifest")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the manifest is empty");
    }
}
