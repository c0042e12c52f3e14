package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevelopmentKeyTest {
    @TempDir
    Path dir;

    private static final String KEYS = """
            keys:
              - { name: support-bot, key: "${TOOLGATE_AGENT_KEY:-}", role: agent }
              - { name: ops, key: "${TOOLGATE_ADMIN_KEY:-}", role: admin, workspace: platform }
            """;

    @Test
    void anEmptyKeyBecomesTheDevelopmentKey() throws ConfigException {
        Config config = ConfigFiles.load(dir, KEYS, Map.of());

        assertThat(config.keys()).containsExactly(
                new KeyConfig("support-bot", KeyConfig.sha256Of("tg-dev-support-bot"), Role.AGENT, "default", true),
                new KeyConfig("ops", KeyConfig.sha256Of("tg-dev-ops"), Role.ADMIN, "platform", true));
    }

    @Test
    void aSetVariableGivesARealKey() throws ConfigException {
        Config config = ConfigFiles.load(dir, KEYS, Map.of("TOOLGATE_AGENT_KEY", "agent-key-0123456789"));

        assertThat(config.keys().get(0)).isEqualTo(new KeyConfig("support-bot", KeyConfig.sha256Of("agent-key-0123456789"), Role.AGENT, "default", false));
        assertThat(config.keys().get(1).development()).isTrue();
    }

    @Test
    void anEmptyYamlValueIsADevelopmentKeyToo() throws ConfigException {
        Config config = ConfigFiles.load(dir, "keys:\n  - name: bot\n    key:\n    role: agent\n");

        assertThat(config.keys().get(0).keySha256()).isEqualTo(KeyConfig.sha256Of("tg-dev-bot"));
    }

    @Test
    void warnsOperatorsAboutEachDevelopmentKeyAndNeverLogsARealOne() throws ConfigException {
        String log = capturingStandardError(() ->
                ConfigFiles.load(dir, KEYS, Map.of("TOOLGATE_AGENT_KEY", "agent-key-0123456789")));

        assertThat(log).contains("WARN")
                .contains("'ops'", "tg-dev-ops", "do not use this in production")
                .doesNotContain("support-bot", "agent-key-0123456789");
    }

    @Test
    void aShortKeyIsRefusedWithoutBeingPrinted() {
        assertThat(ConfigFiles.problems(dir, KEYS, Map.of("TOOLGATE_AGENT_KEY", "hunter2"))).containsExactly(
                "toolgate.yaml:2:31: keys[0].key: too short: 7 characters (expected: at least 16 characters)");
    }

    @Test
    void aKeyWithATrailingNewlineIsRefused() {
        assertThat(ConfigFiles.problems(dir, KEYS, Map.of("TOOLGATE_AGENT_KEY", "agent-key-0123456789\n"))).containsExactly(
                "toolgate.yaml:2:31: keys[0].key: starts or ends with whitespace "
                        + "(expected: the key alone; check the variable it comes from)");
    }

    @Test
    void twoEntriesCannotShareAKey() {
        String shared = "shared-key-0123456789";
        assertThat(ConfigFiles.problems(dir, KEYS, Map.of("TOOLGATE_AGENT_KEY", shared, "TOOLGATE_ADMIN_KEY", shared)))
                .containsExactly("toolgate.yaml:3:23: keys[1].key: duplicate key value (first used at keys[0].key)");
    }

    @Test
    void theKeyFieldIsRequiredEvenIfEmpty() {
        assertThat(ConfigFiles.problems(dir, "keys:\n  - { name: bot, role: agent }\n")).containsExactly(
                "toolgate.yaml:2:5: keys[0].key: missing (expected: the key, such as \"${MY_AGENT_KEY}\", or key_sha256 with its SHA-256; "
                        + "\"${MY_AGENT_KEY:-}\" allows a development key)");
    }

    private interface Action {
        void run() throws Exception;
    }

    /** slf4j-simple writes to whatever System.err is at the time of the call. */
    private static String capturingStandardError(Action action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
