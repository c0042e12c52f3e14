package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.ToolCall;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped example must start on a fresh clone, and its rules must do what their comments say. */
class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("..", "examples", "toolgate.yaml");

    private static Config config;

    @BeforeAll
    static void loadWithEmptyEnvironment() throws ConfigException {
        config = ConfigLoader.load(EXAMPLE, Map.of());
    }

    @Test
    void startsWithoutAnyEnvironmentVariable() {
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().publicUrl()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(config.upstream().baseUrl()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(config.upstream().hasApiKey()).isFalse();
        assertThat(config.storage().url()).isEqualTo("jdbc:h2:file:./data/toolgate");
        assertThat(config.keys()).extracting(KeyConfig::name, KeyConfig::keySha256, KeyConfig::role, KeyConfig::development)
                .containsExactly(
                        tuple("support-bot", KeyConfig.sha256Of("tg-dev-support-bot"), Role.AGENT, true),
                        tuple("ops", KeyConfig.sha256Of("tg-dev-ops"), Role.ADMIN, true));
        assertThat(config.policy()).isEqualTo(new PolicyConfig(Action.ALLOW, Action.BLOCK, List.of("drop_database")));
        assertThat(config.notifications()).isEqualTo(NotificationsConfig.DEFAULTS);
    }

    @Test
    void usesRealKeysWhenTheyAreSet() throws ConfigException {
        Config withKeys = ConfigLoader.load(EXAMPLE,
                Map.of("TOOLGATE_AGENT_KEY", "agent-key-0123456789", "TOOLGATE_ADMIN_KEY", "admin-key-0123456789"));

        assertThat(withKeys.keys()).extracting(KeyConfig::keySha256)
                .containsExactly(KeyConfig.sha256Of("agent-key-0123456789"), KeyConfig.sha256Of("admin-key-0123456789"));
        assertThat(withKeys.keys()).noneMatch(KeyConfig::development);
    }

    @Test
    void financeRules() {
        assertThat(decide("wire_transfer", "{\"amount\": 5000}")).isInstanceOf(Decision.NeedsApproval.class);
        assertThat(decide("wire_transfer", "{\"amount\": 200}")).isInstanceOf(Decision.Allowed.class);
        assertThat(decide("issue_refund", "{\"amount\": 7500.5}")).isInstanceOf(Decision.Blocked.class);
        assertThat(decide("refund_order", "{\"amount\": 4000}")).isInstanceOf(Decision.Allowed.class);
    }

    @Test
    void shellRules() {
        assertThat(decide("run_shell", "{\"command\": \"cd /tmp && rm  -rf build\"}")).isInstanceOf(Decision.Blocked.class);
        assertThat(decide("exec_command", "{\"command\": \"sudo systemctl restart nginx\"}")).isInstanceOf(Decision.NeedsApproval.class);
        assertThat(decide("run_shell", "{\"command\": \"ls -la\"}")).isInstanceOf(Decision.Allowed.class);
        assertThat(decide("run_shell", "{\"command\": \"sudo rm -rf /\"}")).as("block outranks approve").isInstanceOf(Decision.Blocked.class);
    }

    @Test
    void fileRules() {
        assertThat(decide("delete_file", "{\"path\": \"notes.txt\"}")).isInstanceOf(Decision.Blocked.class);
        assertThat(decide("write_file", "{\"path\": \"/etc/passwd\"}")).isInstanceOf(Decision.Blocked.class);
        assertThat(decide("write_file", "{\"path\": \"/tmp/out.txt\"}")).isInstanceOf(Decision.Allowed.class);
        assertThat(decide("read_file", "{\"path\": \"app/.env\"}")).isInstanceOf(Decision.Warned.class);
        assertThat(decide("read_file", "{\"path\": \".env.production\"}")).isInstanceOf(Decision.Warned.class);
        assertThat(decide("read_file", "{\"path\": \"README.md\"}")).isInstanceOf(Decision.Allowed.class);
    }

    @Test
    void emailRules() {
        assertThat(decide("send_email", "{\"to\": \"someone@elsewhere.org\"}")).isInstanceOf(Decision.NeedsApproval.class);
        assertThat(decide("send_email", "{\"to\": \"colleague@example.com\"}")).isInstanceOf(Decision.Allowed.class);
        String many = "[" + "\"a@example.com\",".repeat(30) + "\"b@example.com\"]";
        assertThat(decide("send_email", "{\"recipients\": " + many + "}")).isInstanceOf(Decision.Warned.class);
    }

    @Test
    void killSwitch() {
        assertThat(decide("drop_database", "{}")).isInstanceOf(Decision.Blocked.class);
    }

    private static Decision decide(String tool, String arguments) {
        return config.ruleSet().evaluate(new ToolCall("call_1", tool, arguments), CallContext.of("default", "support-bot", "gpt-4o"),
                Set.copyOf(config.policy().blockedTools()));
    }
}
