package dev.toolgate.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.proxy.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which edits a reload cannot apply: the running gateway listens, connects and starts its workers with them. */
class RestartOnlySettingsTest {
    @TempDir
    Path directory;

    private Config load(String yaml) throws Exception {
        Path file = Files.writeString(directory.resolve("toolgate-" + yaml.hashCode() + ".yaml"), yaml);
        return ConfigLoader.load(file, Map.of());
    }

    private static String config(String port, String extra) {
        return """
                server: { host: 127.0.0.1, port: %s }
                storage: { url: "jdbc:h2:mem:restart-only" }
                keys:
                  - { name: ops, key: %s, role: admin }
                %s""".formatted(port, TestGateway.ADMIN_KEY, extra);
    }

    @Test
    void rulesKeysAndTheKillSwitchNeedNoRestartThePortAndTelemetryDo() throws Exception {
        Config running = load(config("8080", ""));

        Config reloadable = load(config("8080", """
                  - { name: bot, key: %s, role: agent }
                policy: { blocked_tools: [drop_database] }
                rules:
                  - { id: no-deletes, tools: [delete_file], action: block }
                """.formatted(TestGateway.AGENT_KEY)));
        assertThat(RestartOnlySettings.changed(running, reloadable)).isEmpty();

        Config needsRestart = load(config("9090", """
                telemetry: { otlp_endpoint: "http://collector:4318/v1/traces" }
                """));
        assertThat(RestartOnlySettings.changed(running, needsRestart))
                .containsExactly("server (host, port, public_url, timeouts, instances)", "telemetry");
    }
}
