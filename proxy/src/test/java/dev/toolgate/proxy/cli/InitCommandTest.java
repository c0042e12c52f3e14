package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.proxy.policies.PolicyTemplates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code toolgate init}: every built-in template is a valid configuration, written where asked, never over a file unasked. */
class InitCommandTest {
    @TempDir
    Path dir;

    @Test
    void everyTemplateIsAConfigurationTheLoaderAcceptsWithRules() throws Exception {
        for (String name : PolicyTemplates.NAMES) {
            Path file = Files.writeString(dir.resolve(name + ".yaml"), PolicyTemplates.content(name).orElseThrow());

            Config config = ConfigLoader.load(file, Map.of());

            assertThat(config.rules()).as(name).hasSizeGreaterThanOrEqualTo(4);
            assertThat(config.keys()).as(name).hasSize(2);
            assertThat(PolicyTemplates.summary(name)).as(name).isNotBlank();
        }
    }

    @Test
    void initWritesAFileThatValidateAccepts() {
        Path file = dir.resolve("toolgate.yaml");

        CommandRun init = CommandRun.toolgate("init", "--template", "finance", "--output", file.toString());

        assertThat(init.exitCode()).as(init.printed()).isZero();
        assertThat(init.out()).contains("wrote " + file + " from the finance template");
        CommandRun validate = CommandRun.toolgate("validate", "--config", file.toString());
        assertThat(validate.exitCode()).as(validate.printed()).isZero();
        assertThat(validate.out()).startsWith(file + ": valid (5 rules, 2 keys, policy version ");
    }

    @Test
    void initRefusesToReplaceAFileWithoutForce() throws Exception {
        Path file = Files.writeString(dir.resolve("toolgate.yaml"), "# mine\n");

        CommandRun refused = CommandRun.toolgate("init", "--template", "cloud", "--output", file.toString());

        assertThat(refused.exitCode()).as(refused.printed()).isEqualTo(1);
        assertThat(refused.err()).contains("exists; not replaced (use --force");
        assertThat(Files.readString(file)).isEqualTo("# mine\n");

        CommandRun forced = CommandRun.toolgate("init", "--template", "cloud", "--output", file.toString(), "--force");

        assertThat(forced.exitCode()).as(forced.printed()).isZero();
        assertThat(Files.readString(file)).isEqualTo(PolicyTemplates.content("cloud").orElseThrow());
    }

    @Test
    void anUnknownTemplateIsAUsageError() {
        CommandRun run = CommandRun.toolgate("init", "--template", "banking", "--output", dir.resolve("x.yaml").toString());

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(2);
        assertThat(run.err()).contains("unknown template 'banking'", "finance");
        assertThat(dir.resolve("x.yaml")).doesNotExist();
    }
}
