package dev.toolgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.config.KeyConfig;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A gateway whose configuration holds only key digests ({@code key_sha256}) still takes the keys themselves. */
class KeyDigestAuthenticationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String CALL = "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}";

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.builder(NO_UPSTREAM).keys("""
                keys:
                  - { name: support-bot, key_sha256: %s, role: agent }
                  - { name: ops, key_sha256: "%s", role: admin }
                """.formatted(KeyConfig.sha256Of(TestGateway.AGENT_KEY), KeyConfig.sha256Of(TestGateway.ADMIN_KEY).toUpperCase()))
                .start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void theKeyWhoseDigestIsConfiguredIsAccepted() throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, CALL)) {
            assertThat(response.code()).isEqualTo(200);
        }
        try (Response response = gateway.get("/api/logs", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events())
                .singleElement().satisfies(event -> assertThat(event.agent()).isEqualTo("support-bot"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            TestGateway.OTHER_WORKSPACE_ADMIN_KEY,
            "agent-key-0123456788",
            "agent-key-0123456789-and-more"})
    void anyOtherKeyIsRefused(String key) throws IOException {
        try (Response response = gateway.post("/api/intercept", key, CALL)) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("INVALID_API_KEY");
        }
    }

    /** The digest is what the configuration holds; presenting it must not work as a key. */
    @Test
    void theConfiguredDigestItselfIsNotAKey() throws IOException {
        try (Response response = gateway.post("/api/intercept", KeyConfig.sha256Of(TestGateway.AGENT_KEY), CALL)) {
            assertThat(response.code()).isEqualTo(401);
        }
    }
}
