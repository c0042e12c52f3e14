package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.proxy.testing.TestGateway;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code toolgate validate}: a valid file exits 0; a broken one exits 1 with every problem at its line and column. */
class ValidateCommandTest {
    @TempDir
    Path dir;

    @Test
    void aValidFileExitsZeroAndSaysWhatItHolds() throws Exception {
        Path file = ConfigFiles.write(dir, "toolgate.yaml", "jdbc:h2:mem:unused", TestGateway.STANDARD_RULES);

        CommandRun run = CommandRun.toolgate("validate", "--config", file.toString());

        assertThat(run.exitCode()).as(run.printed()).isZero();
        assertThat(run.out()).startsWith(file + ": valid (3 rules, 3 keys, policy version ");
    }

    @Test
    void aBrokenFileExitsOneWithEveryProblemAsFileLineColumnFieldProblem() throws Exception {
        Path file = ConfigFiles.write(dir, "toolgate.yaml", "jdbc:h2:mem:unused", """
                policy:
                  default: allow
                rules:
                  - id: big-transfers
                    tools: [wire_transfer]
                    when: "args.amount >"
                    action: approve
                  - id: shell
                    tools: [run_shell]
                    action: explode
                """);

        CommandRun run = CommandRun.toolgate("validate", "--config", file.toString());

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(1);
        assertThat(run.out().lines()).hasSize(2);
        assertThat(run.out().lines().toList().get(0)).matches("toolgate\\.yaml:14:\\d+: rules\\[0\\]\\.when: CEL does not compile.*");
        assertThat(run.out().lines().toList().get(1)).matches("toolgate\\.yaml:18:\\d+: rules\\[1\\]\\.action: .*explode.*");
    }

    @Test
    void aMissingFileIsAProblemToo() {
        CommandRun run = CommandRun.toolgate("validate", "--config", dir.resolve("missing.yaml").toString());

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(1);
        assertThat(run.out()).startsWith("missing.yaml");
    }
}
