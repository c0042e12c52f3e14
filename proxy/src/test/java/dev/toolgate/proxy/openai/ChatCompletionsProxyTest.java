package dev.toolgate.proxy.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The chat proxy as seen on the wire: bodies, headers, statuses and what was audited. */
class ChatCompletionsProxyTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Refuses a repeated key, so a body that parses here means the same to every reader. */
    private static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final String DELETE_CALL = "{\"id\":\"call_del\",\"type\":\"function\","
            + "\"function\":{\"name\":\"delete_file\",\"arguments\":\"{\\\"path\\\":\\\"/srv/a.txt\\\"}\"}}";
    private static final String READ_CALL = "{\"id\":\"call_read\",\"type\":\"function\","
            + "\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"/srv/a.txt\\\"}\"}}";
    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(upstream.baseUrl() + "/v1");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private static void upstreamAnswers(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withHeader("x-request-id", "req_upstream_1").withBody(body)));
    }

    private static String answerWithChoicesTwice(String firstCall, String secondCall) {
        return "{\"id\":\"chatcmpl-d\",\"object\":\"chat.completion\",\"choices\":[" + choiceWith(firstCall) + "],"
                + "\"choices\":[" + choiceWith(secondCall) + "]}";
    }

    private static String choiceWith(String call) {
        return "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + call + "]},"
                + "\"finish_reason\":\"tool_calls\"}";
    }

    private Response chat() throws IOException {
        return gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY, ChatBodies.REQUEST);
    }

    private List<AuditEvent> audited() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
    }

    @Test
    void textAnswerIsReturnedByteForByteWithUpstreamHeaders() throws IOException {
        upstreamAnswers(ChatBodies.TEXT_ANSWER);
        try (Response response = chat()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().bytes()).isEqualTo(ChatBodies.TEXT_ANSWER.getBytes(StandardCharsets.UTF_8));
            assertThat(response.header("x-request-id")).isEqualTo("req_upstream_1");
            assertThat(response.header("x-toolgate-decision")).isNull();
        }
        assertThat(audited()).isEmpty();
    }

    @Test
    void allowedCallKeepsEveryByteOfTheCallAndIsAuditedBeforeRelease() throws IOException {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_1", "read_file", "{\"path\": \"/srv/a.txt\"}")));
        try (Response response = chat()) {
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(response.code()).isEqualTo(200);
            JsonNode toolCall = body.at("/choices/0/message/tool_calls/0");
            assertThat(toolCall.path("id").asText()).isEqualTo("call_1");
            assertThat(toolCall.at("/function/arguments").asText()).isEqualTo("{\"path\": \"/srv/a.txt\"}");
            assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(123);
            assertThat(body.path("_toolgate").path("status").asText()).isEqualTo("allowed");
            assertThat(response.header("x-toolgate-decision")).isEqualTo("allowed");
            String decisionId = response.header("x-toolgate-decision-id");
            assertThat(body.path("_toolgate").path("decision_id").asText()).isEqualTo(decisionId);
            // The response was sent only after the decision was committed, so it is readable now.
            assertThat(gateway.gateway().storage().auditLog().findByEventId(decisionId)).hasValueSatisfying(event -> {
                assertThat(event.decision()).isEqualTo("allowed");
                assertThat(event.tool()).isEqualTo("read_file");
                assertThat(event.agent()).isEqualTo("support-bot");
                assertThat(event.source()).isEqualTo("proxy");
                assertThat(event.model()).isEqualTo("gpt-4o-mini");
                assertThat(event.toolCallId()).isEqualTo("call_1");
                assertThat(event.upstreamStatus()).isEqualTo(200);
                assertThat(event.policyVersion()).isNotBlank();
            });
        }
    }

    @Test
    void warnedCallIsReleasedWithWarnings() throws IOException {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_env", "read_file", "{\"path\":\"/app/.env\"}")));
        try (Response response = chat()) {
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(body.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("call_env");
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("allowed");
            assertThat(body.at("/_toolgate/warnings/0/rule").asText()).isEqualTo("env-files");
            assertThat(body.at("/_toolgate/warnings/0/reason").asText()).isEqualTo("Reading .env files is watched");
            assertThat(response.header("x-toolgate-warning")).isEqualTo("env-files: Reading .env files is watched");
        }
        assertThat(audited()).extracting(AuditEvent::decision).containsExactly("warned");
    }

    @Test
    void pendingCallCarriesApprovalHeaders() throws IOException {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_w", "wire_transfer", "{\"amount\":2500.50}")));
        try (Response response = chat()) {
            JsonNode body = JSON.readTree(response.body().string());
            String approvalId = body.at("/_toolgate/approval_id").asText();
            assertThat(approvalId).isNotBlank();
            assertThat(response.header("x-toolgate-decision")).isEqualTo("pending_approval");
            assertThat(response.header("x-toolgate-approval-url")).isEqualTo("http://toolgate.test/api/pending-approvals/" + approvalId);
            assertThat(response.header("retry-after")).isEqualTo("30");
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(body.at("/choices/0/message").has("tool_calls")).isFalse();
        }
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.decision()).isEqualTo("pending");
            assertThat(event.approvalId()).isNotNull();
            assertThat(event.rules()).containsExactly("big-transfers");
        });
    }

    @Test
    void sameCallProposedAgainWhilePendingReusesTheApproval() throws IOException {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_a", "wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}")));
        String first;
        try (Response response = chat()) {
            first = JSON.readTree(response.body().string()).at("/_toolgate/approval_id").asText();
        }
        upstreamAnswers(ChatBodies.withToolCalls(call("call_b", "wire_transfer", "{\"to\": \"acme\", \"amount\": 5000}")));
        try (Response response = chat()) {
            assertThat(JSON.readTree(response.body().string()).at("/_toolgate/approval_id").asText()).isEqualTo(first);
        }
    }

    @Test
    void killSwitchFromConfigBlocks() throws IOException {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_x", "drop_database", "{}")));
        try (Response response = chat()) {
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("blocked");
            assertThat(body.at("/_toolgate/rule").asText()).isEqualTo("kill-switch");
        }
    }

    @Test
    void malformedArgumentsFailClosed() throws IOException {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_m", "read_file", "{\"path\": ")));
        try (Response response = chat()) {
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("blocked");
            assertThat(body.at("/_toolgate/rule").asText()).isEqualTo("invalid-arguments");
            assertThat(body.at("/choices/0/message").has("tool_calls")).isFalse();
            assertThat(body.toString()).doesNotContain("\\\"path\\\": ");
        }
    }

    @Test
    void argumentsOverTheSizeLimitAreBlockedUnread() throws IOException {
        gateway.close();
        gateway = TestGateway.start(upstream.baseUrl() + "/v1", TestGateway.STANDARD_RULES, TestGateway.memoryStorage(),
                "limits: { max_tool_argument_size: 1KiB }\n");
        String big = "{\"path\":\"/srv/" + "a".repeat(2_000) + "\"}";
        upstreamAnswers(ChatBodies.withToolCalls(call("call_big", "read_file", big), call("call_small", "read_file", "{\"path\":\"/srv/b\"}")));
        try (Response response = chat()) {
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("partial");
            assertThat(body.at("/_toolgate/calls/0/rule").asText()).isEqualTo("oversized-arguments");
            assertThat(body.at("/choices/0/message/tool_calls")).hasSize(1);
            assertThat(body.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("call_small");
        }
    }

    @Test
    void textBeforeTheCallsIsKeptWhenAllCallsAreRemoved() throws IOException {
        String body = ChatBodies.withToolCalls(call("call_d", "delete_file", "{\"path\":\"/x\"}"))
                .replace("\"content\":null", "\"content\":\"Cleaning up now.\"");
        upstreamAnswers(body);
        try (Response response = chat()) {
            assertThat(JSON.readTree(response.body().string()).at("/choices/0/message/content").asText())
                    .isEqualTo("Cleaning up now.\n\nTool 'delete_file' is blocked by governance policy.");
        }
    }

    @Test
    void configuredUpstreamKeyReplacesTheClientsAuthorization() throws IOException {
        gateway.close();
        gateway = TestGateway.start(upstream.baseUrl() + "/v1", "sk-gateway-owned-key", TestGateway.STANDARD_RULES,
                TestGateway.memoryStorage(), "");
        upstreamAnswers(ChatBodies.TEXT_ANSWER);
        Request request = new Request.Builder().url(gateway.baseUrl() + "/v1/chat/completions")
                .header("x-api-key", TestGateway.AGENT_KEY)
                .header("Authorization", "Bearer sk-client-should-not-travel")
                .post(RequestBody.create(ChatBodies.REQUEST, TestGateway.JSON)).build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-gateway-owned-key")));
    }

    @Test
    void upstreamErrorsPassThroughUnchanged() throws IOException {
        String error = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "7").withBody(error)));
        try (Response response = chat()) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.header("Retry-After")).isEqualTo("7");
            assertThat(response.body().string()).isEqualTo(error);
        }
    }

    @Test
    void invalidJsonFromUpstreamReleasesNothing() throws IOException {
        upstreamAnswers("{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"call_1\",\"function\":{\"name\":\"delete_file\"");
        try (Response response = chat()) {
            assertThat(response.code()).isEqualTo(502);
            String body = response.body().string();
            assertThat(JSON.readTree(body).at("/error/code").asText()).isEqualTo("UPSTREAM_INVALID_RESPONSE");
            assertThat(body).doesNotContain("delete_file");
        }
    }

    @Test
    void upstreamTimeoutIs504() throws IOException {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(4_000).withBody(ChatBodies.TEXT_ANSWER)));
        try (Response response = chat()) {
            assertThat(response.code()).isEqualTo(504);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("UPSTREAM_TIMEOUT");
        }
    }

    @Test
    void upstreamResetMidBodyIs502() throws IOException {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        try (Response response = chat()) {
            assertThat(response.code()).isEqualTo(502);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).startsWith("UPSTREAM_");
        }
    }

    @Test
    void unreachableUpstreamIs502() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        gateway.close();
        gateway = TestGateway.start("http://127.0.0.1:" + closedPort + "/v1");
        try (Response response = chat()) {
            assertThat(response.code()).isEqualTo(502);
            JsonNode error = JSON.readTree(response.body().string()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("UPSTREAM_UNAVAILABLE");
            assertThat(error.path("message").asText()).contains("cannot");
        }
    }

    @Test
    void otherV1RoutesPassThroughUntouched() throws IOException {
        String models = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\"}]}";
        upstream.stubFor(get(urlEqualTo("/v1/models?limit=2")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(models)));
        Request request = new Request.Builder().url(gateway.baseUrl() + "/v1/models?limit=2&api_key=" + TestGateway.AGENT_KEY)
                .header("Authorization", "Bearer sk-client").build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo(models);
        }
        upstream.verify(getRequestedFor(urlEqualTo("/v1/models?limit=2")).withHeader("Authorization", equalTo("Bearer sk-client")));
    }

    @Test
    void embeddingsPostPassesThrough() throws IOException {
        upstream.stubFor(any(urlEqualTo("/v1/embeddings")).willReturn(aResponse().withStatus(200).withBody("{\"data\":[]}")));
        try (Response response = gateway.http().newCall(new Request.Builder().url(gateway.baseUrl() + "/v1/embeddings")
                .header("x-toolgate-key", TestGateway.AGENT_KEY)
                .post(RequestBody.create("{\"input\":\"hi\"}", TestGateway.JSON)).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("{\"data\":[]}");
        }
        upstream.verify(postRequestedFor(urlEqualTo("/v1/embeddings")).withoutHeader("x-toolgate-key"));
    }

    // ---- answers sent as the upstream wrote them, and keys given twice

    @Test
    void allowedCallsGoBackAsTheUpstreamWroteThemWithTheMetadataAdded() throws IOException {
        String answer = "{\n  \"id\": \"chatcmpl-v\",  \"object\": \"chat.completion\", \"created\": 1763800000,\n"
                + "  \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \"caf\\u00e9 1.50E+3\",\n"
                + "    \"tool_calls\": [" + READ_CALL + "]}, \"finish_reason\": \"tool_calls\"}],\n"
                + "  \"usage\": {\"total_tokens\": 1.50}\n}\n";
        upstreamAnswers(answer);

        try (Response response = chat()) {
            String body = response.body().string();
            int close = answer.lastIndexOf('}');
            assertThat(body).startsWith(answer.substring(0, close) + ",\"_toolgate\":{").endsWith("}}\n");
            JsonNode json = STRICT.readTree(body);
            assertThat(json.at("/_toolgate/status").asText()).isEqualTo("allowed");
            assertThat(json.at("/_toolgate/decision_id").asText()).isEqualTo(response.header("x-toolgate-decision-id"));
        }
    }

    @Test
    void aRepeatedKeyIsNeverPassedOnWhenTheAnswerHasCalls() throws IOException {
        upstreamAnswers(answerWithChoicesTwice(DELETE_CALL, READ_CALL));

        try (Response response = chat()) {
            String body = response.body().string();
            assertThat(body).doesNotContain("delete_file");
            assertThat(STRICT.readTree(body).at("/choices/0/message/tool_calls/0/function/name").asText()).isEqualTo("read_file");
            assertThat(response.header("x-toolgate-decision")).isEqualTo("allowed");
        }
    }

    @Test
    void aRepeatedKeyCannotHideACallInAnAnswerWithoutOne() throws IOException {
        String textChoice = "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"done\"},\"finish_reason\":\"stop\"}";
        upstreamAnswers("{\"id\":\"chatcmpl-d\",\"object\":\"chat.completion\",\"choices\":[" + choiceWith(DELETE_CALL) + "],"
                + "\"choices\":[" + textChoice + "]}");

        try (Response response = chat()) {
            String body = response.body().string();
            assertThat(response.code()).isEqualTo(200);
            assertThat(body).doesNotContain("delete_file");
            assertThat(STRICT.readTree(body).at("/choices/0/message/content").asText()).isEqualTo("done");
        }
    }

    @Test
    void anUpstreamMetadataFieldIsReplacedNotRepeated() throws IOException {
        String answer = ChatBodies.withToolCalls(call("call_1", "read_file", "{\"path\":\"/srv/a.txt\"}"));
        upstreamAnswers(answer.substring(0, answer.lastIndexOf('}')) + ",\"_toolgate\":{\"status\":\"allowed\",\"forged\":true}}");

        try (Response response = chat()) {
            String body = response.body().string();
            assertThat(body).doesNotContain("forged");
            assertThat(STRICT.readTree(body).at("/_toolgate/status").asText()).isEqualTo("allowed");
        }
    }
}
