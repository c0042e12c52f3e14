package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.KeyConfig;
import dev.toolgate.config.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code toolgate keys new}: a key nobody could guess, and a keys entry that admits exactly it. */
class KeysCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsAKeyAndTheEntryThatAdmitsIt() throws Exception {
        CommandRun run = CommandRun.toolgate("keys", "new", "--name", "billing-bot", "--workspace", "finance");

        assertThat(run.exitCode()).as(run.printed()).isZero();
        List<String> lines = run.out().lines().toList();
        String key = lines.get(0).substring("key:        ".length());
        assertThat(key).matches("tg-[A-Za-z0-9_-]{43}");
        assertThat(lines.get(1)).isEqualTo("key_sha256: " + KeyConfig.sha256Of(key));
        String entry = lines.get(lines.size() - 1);
        assertThat(entry).isEqualTo("  - { name: billing-bot, key_sha256: \"" + KeyConfig.sha256Of(key)
                + "\", role: agent, workspace: finance }");

        Path file = Files.writeString(dir.resolve("toolgate.yaml"), "keys:\n" + entry + "\n");
        Config config = ConfigLoader.load(file, Map.of());
        assertThat(config.keys()).singleElement().satisfies(loaded -> {
            assertThat(loaded.name()).isEqualTo("billing-bot");
            assertThat(loaded.keySha256()).isEqualTo(KeyConfig.sha256Of(key));
            assertThat(loaded.role()).isEqualTo(Role.AGENT);
            assertThat(loaded.workspace()).isEqualTo("finance");
        });
    }

    @Test
    void everyKeyIsNew() {
        String first = CommandRun.toolgate("keys", "new").out().lines().findFirst().orElseThrow();
        String second = CommandRun.toolgate("keys", "new").out().lines().findFirst().orElseThrow();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void anUnknownRoleIsRefused() {
        CommandRun run = CommandRun.toolgate("keys", "new", "--role", "root");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("--role: 'root' (expected: agent or admin)");
    }
}
