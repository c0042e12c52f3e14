package dev.toolgate.proxy.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.testing.TestDatabases;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A policy version applied on one gateway is in force on another on the same PostgreSQL database, and listed there. */
class PolicyVersionsClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    /** The documented bound for a change on one instance to apply on the others. */
    private static final Duration PROPAGATION = Duration.ofSeconds(1);

    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void start() {
        String database = TestDatabases.postgres().freshUrl();
        a = TestGateway.builder(NO_UPSTREAM).storage(database).start();
        b = TestGateway.builder(NO_UPSTREAM).storage(database).start();
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void aVersionAppliedOnAIsInForceOnBAndADraftAppliedOnBIsInForceOnA() throws Exception {
        assertThat(intercept(b, "deploy").path("allowed").asBoolean()).isTrue();

        JsonNode applied = importOn(a, """
                policy: { default: allow, on_error: block, blocked_tools: [drop_database, send_fax] }
                rules:
                  - { id: no-deploys, tools: [deploy], action: block }
                """, "");

        within(PROPAGATION, () -> intercept(b, "deploy").path("status").asText().equals("blocked"));
        within(PROPAGATION, () -> intercept(b, "send_fax").path("status").asText().equals("blocked"));
        try (Response export = b.get("/api/policies/export", TestGateway.ADMIN_KEY)) {
            assertThat(export.header("Toolgate-Policy-Version")).isEqualTo(applied.path("policy_version").asText());
        }

        JsonNode draft = importOn(b, "rules: []\n", "?dry_run=true");
        try (Response listed = a.get("/api/policies/versions", TestGateway.ADMIN_KEY)) {
            assertThat(JSON.readTree(listed.body().string()).path("versions")).extracting(v -> v.path("status").asText())
                    .containsExactly("draft", "applied");
        }
        try (Response apply = b.post("/api/policies/versions/" + draft.path("id").asText() + "/apply", TestGateway.ADMIN_KEY, "")) {
            assertThat(apply.code()).isEqualTo(200);
        }
        within(PROPAGATION, () -> intercept(a, "deploy").path("allowed").asBoolean());
    }

    private static JsonNode importOn(TestGateway gateway, String manifest, String query) throws IOException {
        try (Response response = gateway.post("/api/policies/import" + query, TestGateway.ADMIN_KEY, manifest)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(201);
            return JSON.readTree(body);
        }
    }

    private static JsonNode intercept(TestGateway gateway, String tool) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"" + tool + "\",\"arguments\":{}}")) {
            return JSON.readTree(response.body().string());
        }
    }

    private static void within(Duration within, Callable<Boolean> question) throws Exception {
        long started = System.nanoTime();
        while (!question.call()) {
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("still not true").isLessThan(within);
            Thread.sleep(20);
        }
    }
}
