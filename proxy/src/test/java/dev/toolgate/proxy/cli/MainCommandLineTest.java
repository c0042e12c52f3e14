package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code toolgate} command line: every command listed, and {@code --config} without a command still serving. */
class MainCommandLineTest {
    @TempDir
    Path dir;

    @Test
    void helpListsEveryCommand() {
        CommandRun run = CommandRun.toolgate("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("serve", "validate", "check", "replay", "keys", "audit");
    }

    @Test
    void replayHelpDocumentsItsExitCodes() {
        CommandRun run = CommandRun.toolgate("replay", "--help");

        assertThat(run.out()).contains("Exit codes:", "0   no outcome would change", "1   some outcomes would change");
    }

    @Test
    void serveAndTheBareConfigOptionRefuseABrokenFileWithExitTwo() throws Exception {
        Path broken = Files.writeString(dir.resolve("toolgate.yaml"), "server: { port: many }\n");

        CommandRun serve = CommandRun.toolgate("serve", "--config", broken.toString());
        CommandRun bare = CommandRun.toolgate("--config", broken.toString());

        assertThat(serve.exitCode()).as(serve.printed()).isEqualTo(2);
        assertThat(serve.err()).startsWith("Toolgate cannot start: " + broken + " has problems:\ntoolgate.yaml:1:");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).isEqualTo(serve.err());
    }

    @Test
    void serveRefusesADeliveryWebhookToAnInternalAddressWithExitTwo() throws Exception {
        Path config = Files.writeString(dir.resolve("toolgate.yaml"), """
                server: { host: 127.0.0.1, port: 0 }
                upstream: { base_url: "http://127.0.0.1:9/v1", api_key: sk-test }
                storage: { url: "jdbc:h2:mem:main-command-line-refused-hook" }
                keys:
                  - { name: bot, key: abcdefghijklmnop1234, role: agent }
                deliveries:
                  targets:
                    - { name: ops-hook, type: webhook, url: "http://127.0.0.1:8/hook", secret: s3cret }
                """);

        CommandRun serve = CommandRun.toolgate("serve", "--config", config.toString());

        assertThat(serve.exitCode()).as(serve.printed()).isEqualTo(2);
        assertThat(serve.err()).startsWith("Toolgate cannot start: " + config + ": deliveries.targets[ops-hook].url: host 127.0.0.1"
                + " resolves to 127.0.0.1, a loopback address");
        assertThat(serve.printed()).doesNotContain("s3cret");
    }
}
