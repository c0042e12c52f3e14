package dev.toolgate.proxy.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.proxy.Gateway;
import dev.toolgate.proxy.reload.ConfigReloader;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported version beside {@code toolgate.yaml}: a reloaded file's rules apply ahead of the
 * imported ones, which stay; a file edit that would clash with an imported rule is refused as any
 * clash with an API rule is.
 */
class PolicyManifestReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private Gateway gateway;
    private final OkHttpClient http = new OkHttpClient();

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String config(String rules) {
        return """
                server: { host: 127.0.0.1, port: 0 }
                upstream: { base_url: "http://127.0.0.1:9/v1" }
                storage: { url: "%s" }
                keys:
                  - { name: support-bot, key: %s, role: agent }
                  - { name: ops, key: %s, role: admin }
                policy: { default: allow }
                rules:
                  - { id: no-deletes, tools: [delete_file], action: block }
                %s""".formatted(TestGateway.memoryStorage(), TestGateway.AGENT_KEY, TestGateway.ADMIN_KEY, rules);
    }

    @Test
    void aReloadedFileKeepsTheImportedRulesAndRefusesAClashWithThem() throws Exception {
        Path file = directory.resolve("toolgate.yaml");
        String storageConfig = config("");
        Files.writeString(file, storageConfig);
        gateway = Gateway.start(ConfigLoader.load(file, Map.of()), Clock.systemUTC());
        ConfigReloader reloader = gateway.watchConfig(file, Map.of());
        try (Response imported = post("/api/policies/import", "rules:\n  - { id: no-deploys, tools: [deploy], action: block }\n")) {
            assertThat(imported.code()).isEqualTo(201);
        }

        Files.writeString(file, storageConfig + "  - { id: no-transfers, tools: [wire_transfer], action: block }\n");
        assertThat(reloader.reload()).isTrue();

        assertThat(status("wire_transfer")).isEqualTo("blocked");
        assertThat(status("deploy")).isEqualTo("blocked");
        String export = export();
        assertThat(export.indexOf("id: no-transfers")).isPositive().isLessThan(export.indexOf("id: no-deploys"));

        Files.writeString(file, storageConfig + "  - { id: no-deploys, tools: [deploy], action: warn }\n");
        assertThat(reloader.reload()).isFalse();
        assertThat(status("deploy")).isEqualTo("blocked");
        assertThat(status("wire_transfer")).as("the previous file stays in force").isEqualTo("blocked");
    }

    private String status(String tool) throws IOException {
        try (Response response = post("/api/intercept", "{\"tool_name\":\"" + tool + "\",\"arguments\":{}}", TestGateway.AGENT_KEY)) {
            JsonNode body = JSON.readTree(response.body().string());
            return body.path("status").asText();
        }
    }

    private String export() throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(base() + "/api/policies/export")
                .header("x-api-key", TestGateway.ADMIN_KEY).get().build()).execute()) {
            return response.body().string();
        }
    }

    private Response post(String path, String body) throws IOException {
        return post(path, body, TestGateway.ADMIN_KEY);
    }

    private Response post(String path, String body, String key) throws IOException {
        return http.newCall(new Request.Builder().url(base() + path).header("x-api-key", key)
                .post(RequestBody.create(body, TestGateway.JSON)).build()).execute();
    }

    private String base() {
        return "http://127.0.0.1:" + gateway.port();
    }
}
