package dev.toolgate.proxy.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The kill switch managed through {@code /api/blocked-tools}, and its effect on every entry point. */
class BlockedToolsApiTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(upstream.baseUrl() + "/v1");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private JsonNode list() throws IOException {
        try (Response response = gateway.get("/api/blocked-tools", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            return JSON.readTree(response.body().string()).path("blocked_tools");
        }
    }

    private Response block(String tool) throws IOException {
        return gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":" + JSON.writeValueAsString(tool) + "}");
    }

    private Response unblock(String tool) throws IOException {
        HttpUrl url = HttpUrl.get(gateway.baseUrl()).newBuilder().addPathSegments("api/blocked-tools").addPathSegment(tool).build();
        return gateway.http().newCall(new Request.Builder().url(url).delete().header("x-api-key", TestGateway.ADMIN_KEY).build())
                .execute();
    }

    /** The decision /api/intercept gives for a call to {@code tool}. */
    private JsonNode intercept(String tool) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":" + JSON.writeValueAsString(tool) + ",\"arguments\":{\"to\":\"ops@example.com\"}}")) {
            assertThat(response.code()).isEqualTo(200);
            return JSON.readTree(response.body().string());
        }
    }

    private static JsonNode body(Response response) throws IOException {
        return JSON.readTree(response.body().string());
    }

    @Test
    void listShowsTheToolsBlockedInTheConfig() throws IOException {
        assertThat(list()).isEqualTo(JSON.readTree("[{\"tool_name\":\"drop_database\",\"source\":\"config\"}]"));
    }

    @Test
    void blockingAToolCreatesItOnceAndListsIt() throws IOException {
        Instant before = Instant.now();
        try (Response response = block("send_email")) {
            assertThat(response.code()).isEqualTo(201);
            assertThat(body(response)).isEqualTo(JSON.readTree("{\"tool_name\":\"send_email\",\"blocked\":true,\"created\":true}"));
        }
        try (Response response = block("send_email")) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(body(response).path("created").asBoolean()).isFalse();
        }

        JsonNode tools = list();
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0)).isEqualTo(JSON.readTree("{\"tool_name\":\"drop_database\",\"source\":\"config\"}"));
        JsonNode added = tools.get(1);
        assertThat(added.path("tool_name").asText()).isEqualTo("send_email");
        assertThat(added.path("source").asText()).isEqualTo("api");
        assertThat(added.path("created_by").asText()).isEqualTo("ops");
        assertThat(Instant.parse(added.path("created_at").asText())).isAfterOrEqualTo(before.minusSeconds(1));
    }

    @Test
    void blockedToolIsBlockedThroughIntercept() throws IOException {
        assertThat(intercept("send_email").path("allowed").asBoolean()).isTrue();
        block("send_email").close();

        JsonNode answer = intercept("send_email");

        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("rule").asText()).isEqualTo("kill-switch");
        assertThat(answer.path("message").asText()).isEqualTo("Tool 'send_email' is blocked by governance policy.");
    }

    @Test
    void blockedToolIsRemovedFromChatCompletions() throws IOException {
        block("send_email").close();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(call("call_1", "send_email", "{\"to\":\"ops@example.com\"}")))));

        try (Response response = gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY, ChatBodies.REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("x-toolgate-decision")).isEqualTo("blocked");
            JsonNode body = body(response);
            assertThat(body.at("/choices/0/message").has("tool_calls")).isFalse();
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Tool 'send_email' is blocked by governance policy.");
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(body.at("/_toolgate/rule").asText()).isEqualTo("kill-switch");
            assertThat(body.toString()).doesNotContain("ops@example.com");
        }
    }

    @Test
    void unblockingReleasesTheToolAgainAndASecondUnblockIs404() throws IOException {
        block("send_email").close();

        try (Response response = unblock("send_email")) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(body(response)).isEqualTo(JSON.readTree("{\"tool_name\":\"send_email\",\"blocked\":false}"));
        }
        try (Response response = unblock("send_email")) {
            assertThat(response.code()).isEqualTo(404);
            assertThat(body(response).at("/error/code").asText()).isEqualTo("NOT_FOUND");
        }
        assertThat(intercept("send_email").path("allowed").asBoolean()).isTrue();
        assertThat(list()).extracting(tool -> tool.path("tool_name").asText()).containsExactly("drop_database");
    }

    @Test
    void toolBlockedInTheConfigCannotBeUnblockedThroughTheApi() throws IOException {
        try (Response response = unblock("drop_database")) {
            assertThat(response.code()).isEqualTo(409);
            JsonNode error = body(response).path("error");
            assertThat(error.path("code").asText()).isEqualTo("BLOCKED_IN_CONFIG");
            assertThat(error.path("message").asText()).contains("toolgate.yaml");
        }
        assertThat(intercept("drop_database").path("allowed").asBoolean()).isFalse();
    }

    @Test
    void toolNameThatNeedsEscapingInAPathCanBeUnblocked() throws IOException {
        String tool = "legacy tool+v2 /100%";
        try (Response response = block(tool)) {
            assertThat(response.code()).isEqualTo(201);
        }
        assertThat(intercept(tool).path("allowed").asBoolean()).isFalse();

        try (Response response = unblock(tool)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(body(response).path("tool_name").asText()).isEqualTo(tool);
        }
        assertThat(intercept(tool).path("allowed").asBoolean()).isTrue();
    }

    @Test
    void blockWithoutAToolNameIs400() throws IOException {
        try (Response response = gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool\":\"send_email\"}")) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(body(response).at("/error/code").asText()).isEqualTo("MISSING_FIELD");
        }
        try (Response response = gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":\"  \"}")) {
            assertThat(response.code()).isEqualTo(422);
            assertThat(body(response).at("/error/code").asText()).isEqualTo("VALIDATION_FAILED");
        }
        try (Response response = gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":")) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(body(response).at("/error/code").asText()).isEqualTo("INVALID_JSON");
        }
        assertThat(list()).hasSize(1);
    }

    @Test
    void agentKeyMayNotManageTheKillSwitch() throws IOException {
        try (Response response = gateway.get("/api/blocked-tools", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(body(response).at("/error/code").asText()).isEqualTo("FORBIDDEN");
        }
        try (Response response = gateway.post("/api/blocked-tools", TestGateway.AGENT_KEY, "{\"tool_name\":\"send_email\"}")) {
            assertThat(response.code()).isEqualTo(403);
        }
        try (Response response = gateway.delete("/api/blocked-tools/drop_database", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
        }
        assertThat(intercept("send_email").path("allowed").asBoolean()).isTrue();
    }

    @Test
    void blockedToolSurvivesARestart(@TempDir Path dataDir) throws IOException {
        gateway.close();
        String storageUrl = "jdbc:h2:file:" + dataDir.resolve("toolgate").toAbsolutePath();
        gateway = TestGateway.start(upstream.baseUrl() + "/v1", TestGateway.STANDARD_RULES, storageUrl, "");
        block("send_email").close();
        gateway.close();
        gateway = null;

        gateway = TestGateway.start(upstream.baseUrl() + "/v1", TestGateway.STANDARD_RULES, storageUrl, "");

        assertThat(list()).extracting(tool -> tool.path("tool_name").asText() + "/" + tool.path("source").asText())
                .containsExactly("drop_database/config", "send_email/api");
        JsonNode answer = intercept("send_email");
        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("rule").asText()).isEqualTo("kill-switch");
    }
}
