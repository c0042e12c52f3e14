package dev.toolgate.proxy.anthropic;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.SseTranscript;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Anthropic {@code POST /v1/messages} through the real gateway: tool_use blocks decided whole and
 * streamed, the provider's credentials forwarded, other Messages paths passed through; seen on the
 * wire and through the official Anthropic Java SDK.
 */
class AnthropicProxyTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT_PROVIDER_KEY = "sk-ant-client";
    private static final String ANTHROPIC_VERSION = "2023-06-01";
    private static final String BLOCKED_SHELL = "Tool 'run_shell' is blocked by governance policy.";
    private static final String BLOCKED_DELETE = "Tool 'delete_file' is blocked by governance policy.";
    private static final String PENDING = "Tool requires human approval. Retry once approved.";
    /** STANDARD_RULES ends inside its rules list, so one more list item extends it. */
    private static final String POLICY = TestGateway.STANDARD_RULES + """
              - id: no-infra-apply
                description: Infrastructure changes go through the pipeline
                tools: [run_shell]
                when: has(args.command) && args.command.matches('terraform\\\\s+apply')
                action: block
            """;
    private static final String REQUEST = """
            {"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Do the thing"}],
             "tools":[{"name":"read_file","input_schema":{"type":"object"}}]}""";
    private static final String STREAM_REQUEST = """
            {"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,
             "messages":[{"role":"user","content":"Apply the infrastructure change"}]}""";
    private static final String TEXT = "{\"type\":\"text\",\"text\":\"I'll handle that.\",\"citations\":null}";

    private TestGateway gateway;
    private AnthropicClient sdk;

    @BeforeEach
    void start() {
        gateway = startGateway("anthropic: { base_url: \"" + upstream.baseUrl() + "\" }\n");
        sdk = AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(CLIENT_PROVIDER_KEY)
                .putHeader("x-toolgate-key", TestGateway.AGENT_KEY).maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        sdk.close();
        gateway.close();
    }

    private static TestGateway startGateway(String anthropicSection) {
        // The OpenAI upstream is unused here; any request to it would show up as an unmatched WireMock request.
        return TestGateway.builder(upstream.baseUrl() + "/openai/v1").policy(POLICY).extra(anthropicSection).start();
    }

    /** A Messages API response with these content blocks, as the API returns it. */
    private static String message(String stopReason, String... blocks) {
        return "{\"id\":\"msg_01Xk9\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
                + "\"content\":[" + String.join(",", blocks) + "],\"stop_reason\":\"" + stopReason + "\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":412,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
                + "\"output_tokens\":58,\"service_tier\":\"standard\"}}";
    }

    private static String toolUse(String id, String name, String input) {
        return "{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"input\":" + input + "}";
    }

    private static void upstreamAnswers(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("request-id", "req_011CTest")
                .withBody(body).withChunkedDribbleDelay(19, 100)));
    }

    /** The upstream streams {@code body} in many small pieces, splitting events, lines and escapes anywhere. */
    private static void upstreamStreams(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream; charset=utf-8").withBody(body).withChunkedDribbleDelay(43, 150)));
    }

    /** A request as an Anthropic client sends it: the provider key in x-api-key, the gateway key in x-toolgate-key. */
    private Response send(String path, String json) throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + path)
                .header("x-api-key", CLIENT_PROVIDER_KEY)
                .header("anthropic-version", ANTHROPIC_VERSION)
                .header("x-toolgate-key", TestGateway.AGENT_KEY)
                .post(RequestBody.create(json, TestGateway.JSON)).build();
        return gateway.http().newCall(request).execute();
    }

    private List<AuditEvent> audited() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
    }

    private static MessageCreateParams params(String prompt) {
        return MessageCreateParams.builder().model(Model.CLAUDE_SONNET_4_5).maxTokens(1024).addUserMessage(prompt).build();
    }

    private static JsonNode metadata(Message message) {
        assertThat(message._additionalProperties()).containsKey("_toolgate");
        return message._additionalProperties().get("_toolgate").convert(JsonNode.class);
    }

    private static String fixtureBefore(String fixture, String marker) {
        return fixture.substring(0, fixture.indexOf(marker));
    }

    /** The fixture's tool_use block, with its command changed to one the policy allows. */
    private static String allowedShellFixture() {
        return ChatBodies.fixture("anthropic-text-then-tool-use.sse")
                .replace("\"partial_json\":\"orm ap\"", "\"partial_json\":\"orm pl\"")
                .replace("\"partial_json\":\"ply -a\"", "\"partial_json\":\"an -a\"");
    }

    @Test
    void sdkCreateSeesTheAllowedToolUseIntact() {
        upstreamAnswers(message("tool_use", TEXT, toolUse("toolu_01Read", "read_file", "{\"path\":\"/srv/report.txt\"}")));

        Message message = sdk.messages().create(params("Read the report"));

        assertThat(message.content()).hasSize(2);
        assertThat(message.content().get(0).asText().text()).isEqualTo("I'll handle that.");
        ContentBlock call = message.content().get(1);
        assertThat(call.isToolUse()).isTrue();
        assertThat(call.asToolUse().id()).isEqualTo("toolu_01Read");
        assertThat(call.asToolUse().name()).isEqualTo("read_file");
        assertThat(call.asToolUse()._input().convert(JsonNode.class)).isEqualTo(JSON.createObjectNode().put("path", "/srv/report.txt"));
        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(metadata(message).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(message).path("tool").asText()).isEqualTo("read_file");
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo("proxy");
            assertThat(event.decision()).isEqualTo("allowed");
            assertThat(event.tool()).isEqualTo("read_file");
            assertThat(event.toolCallId()).isEqualTo("toolu_01Read");
            assertThat(event.model()).isEqualTo("claude-sonnet-4-5");
        });
    }

    @Test
    void allowedToolUseIsReturnedUnchangedPlusTheMetadataBlock() throws IOException {
        String upstreamBody = message("tool_use", TEXT, toolUse("toolu_01Read", "read_file", "{\"path\":\"/srv/report.txt\",\"limit\":1.50E+3}"));
        upstreamAnswers(upstreamBody);

        try (Response response = send("/v1/messages", REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            String text = response.body().string();
            ObjectNode body = (ObjectNode) JSON.readTree(text);
            JsonNode metadata = body.remove("_toolgate");
            assertThat(body).isEqualTo(JSON.readTree(upstreamBody));
            assertThat(text).contains("1.50E+3");
            assertThat(metadata.path("status").asText()).isEqualTo("allowed");
            assertThat(response.header("x-toolgate-decision")).isEqualTo("allowed");
            assertThat(response.header("request-id")).isEqualTo("req_011CTest");
        }
    }

    @Test
    void blockedToolUseBecomesTextAndTheTurnEnds() throws IOException {
        String upstreamBody = message("tool_use", TEXT, toolUse("toolu_01Del", "delete_file", "{\"path\":\"/var/data/customers.csv\"}"));
        upstreamAnswers(upstreamBody);

        try (Response response = send("/v1/messages", REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            String text = response.body().string();
            JsonNode body = JSON.readTree(text);
            assertThat(body.at("/content/0")).isEqualTo(JSON.readTree(upstreamBody).at("/content/0"));
            assertThat(body.at("/content/1")).isEqualTo(JSON.createObjectNode().put("type", "text").put("text", BLOCKED_DELETE));
            assertThat(body.path("content")).hasSize(2);
            assertThat(body.path("stop_reason").asText()).isEqualTo("end_turn");
            assertThat(body.path("usage")).isEqualTo(JSON.readTree(upstreamBody).path("usage"));
            JsonNode metadata = body.path("_toolgate");
            assertThat(metadata.path("status").asText()).isEqualTo("blocked");
            assertThat(metadata.path("blocked").asBoolean()).isTrue();
            assertThat(metadata.path("tool").asText()).isEqualTo("delete_file");
            assertThat(metadata.path("rule").asText()).isEqualTo("no-deletes");
            assertThat(text).doesNotContain("customers.csv").doesNotContain("\"tool_use\"");
            assertThat(response.header("x-toolgate-decision")).isEqualTo("blocked");
        }
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo("proxy");
            assertThat(event.decision()).isEqualTo("blocked");
            assertThat(event.toolCallId()).isEqualTo("toolu_01Del");
            assertThat(event.rules()).containsExactly("no-deletes");
        });
    }

    @Test
    void sdkCreateSeesTheBlockedCallAsText() {
        upstreamAnswers(message("tool_use", TEXT, toolUse("toolu_01Shell", "run_shell", "{\"command\":\"terraform apply -auto-approve\"}")));

        Message message = sdk.messages().create(params("Apply it"));

        assertThat(message.content()).noneMatch(ContentBlock::isToolUse);
        assertThat(message.content()).extracting(block -> block.asText().text()).containsExactly("I'll handle that.", BLOCKED_SHELL);
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(metadata(message).path("status").asText()).isEqualTo("blocked");
        assertThat(metadata(message).path("rule").asText()).isEqualTo("no-infra-apply");
    }

    @Test
    void toolUseNeedingApprovalIsHeldAndStored() throws IOException {
        upstreamAnswers(message("tool_use", toolUse("toolu_01Wire", "wire_transfer", "{\"to\":\"ACME Ltd\",\"amount\":5000}")));

        String approvalId;
        try (Response response = send("/v1/messages", REQUEST)) {
            String text = response.body().string();
            JsonNode body = JSON.readTree(text);
            assertThat(body.path("content")).containsExactly(JSON.createObjectNode().put("type", "text").put("text", PENDING));
            assertThat(body.path("stop_reason").asText()).isEqualTo("end_turn");
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("pending_approval");
            approvalId = body.at("/_toolgate/approval_id").asText();
            assertThat(response.header("x-toolgate-approval-url")).isEqualTo(TestGateway.PUBLIC_URL + "/api/pending-approvals/" + approvalId);
            assertThat(text).doesNotContain("ACME");
        }
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId)).hasValueSatisfying(approval -> {
            assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING);
            assertThat(approval.tool()).isEqualTo("wire_transfer");
            assertThat(approval.toolCallId()).isEqualTo("toolu_01Wire");
        });
        assertThat(audited()).extracting(AuditEvent::source, AuditEvent::decision)
                .containsExactly(tuple("proxy", "pending"));
    }

    @Test
    void messageWithoutToolUseIsReturnedByteForByte() throws IOException {
        String upstreamBody = message("end_turn", "{\"type\":\"text\",\"text\":\"Bonjour \\u00e9t\\u00e9 \\ud83d\\ude00\",  \"citations\":null}")
                + "\n";
        upstreamAnswers(upstreamBody);

        try (Response response = send("/v1/messages", REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().bytes()).isEqualTo(upstreamBody.getBytes(StandardCharsets.UTF_8));
            assertThat(response.header("x-toolgate-decision")).isNull();
        }
        assertThat(audited()).isEmpty();
    }

    @Test
    void streamedBlockedToolUseNeverSendsItsInput() throws IOException {
        String fixture = ChatBodies.fixture("anthropic-text-then-tool-use.sse");
        upstreamStreams(fixture);

        byte[] received;
        try (Response response = send("/v1/messages", STREAM_REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("content-type")).startsWith("text/event-stream");
            received = response.body().bytes();
        }

        SseTranscript transcript = SseTranscript.of(received);
        String text = transcript.text();
        assertThat(text).as("the text block passes as received")
                .startsWith(fixtureBefore(fixture, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1"));
        assertThat(text).doesNotContain("terraf").doesNotContain("auto-ap").doesNotContain("input_json_delta")
                .doesNotContain("\"tool_use\"");
        assertThat(transcript.types()).containsExactly("message_start", "content_block_start", "content_block_delta",
                "content_block_delta", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop");
        List<JsonNode> replacement = transcript.events().subList(6, 9).stream().map(SseTranscript.Event::json).toList();
        assertThat(replacement).allSatisfy(event -> assertThat(event.path("index").asInt()).isEqualTo(1));
        assertThat(replacement.get(0).at("/content_block/type").asText()).isEqualTo("text");
        assertThat(replacement.get(1).at("/delta/text").asText()).isEqualTo(BLOCKED_SHELL);
        JsonNode messageDelta = transcript.only("message_delta");
        assertThat(messageDelta.at("/delta/stop_reason").asText()).isEqualTo("end_turn");
        assertThat(messageDelta.at("/usage/output_tokens").asInt()).isEqualTo(58);
        JsonNode metadata = messageDelta.path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("tool").asText()).isEqualTo("run_shell");
        assertThat(metadata.path("rule").asText()).isEqualTo("no-infra-apply");
        assertThat(text).endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo("proxy");
            assertThat(event.decision()).isEqualTo("blocked");
            assertThat(event.tool()).isEqualTo("run_shell");
            assertThat(event.toolCallId()).isEqualTo("toolu_01AbCd");
        });
    }

    @Test
    void sdkStreamingSeesTheBlockedCallAsTextAndTheMetadata() {
        upstreamStreams(ChatBodies.fixture("anthropic-text-then-tool-use.sse"));

        List<RawMessageStreamEvent> events;
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params("Apply the change"))) {
            events = stream.stream().toList();
        }

        MessageAccumulator accumulator = MessageAccumulator.create();
        events.forEach(accumulator::accumulate);
        Message message = accumulator.message();
        assertThat(message.content()).extracting(block -> block.asText().text())
                .containsExactly("I'll run that command for you.", BLOCKED_SHELL);
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        JsonNode metadata = events.stream().filter(RawMessageStreamEvent::isMessageDelta).findFirst().orElseThrow()
                .asMessageDelta()._additionalProperties().get("_toolgate").convert(JsonNode.class);
        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("rule").asText()).isEqualTo("no-infra-apply");
        // The SDK sends its key as a Bearer token and its own API version; both reach the provider as sent.
        upstream.verify(postRequestedFor(urlEqualTo("/v1/messages"))
                .withHeader("Authorization", equalTo("Bearer " + CLIENT_PROVIDER_KEY))
                .withHeader("anthropic-version", matching("\\d{4}-\\d{2}-\\d{2}"))
                .withoutHeader("x-toolgate-key"));
    }

    @Test
    void streamedAllowedToolUseIsRelayedAsReceived() throws IOException {
        String fixture = allowedShellFixture();
        upstreamStreams(fixture);

        byte[] received;
        try (Response response = send("/v1/messages", STREAM_REQUEST)) {
            received = response.body().bytes();
        }

        SseTranscript transcript = SseTranscript.of(received);
        assertThat(transcript.text()).as("everything before message_delta, byte for byte")
                .startsWith(fixtureBefore(fixture, "event: message_delta\n"));
        JsonNode messageDelta = transcript.only("message_delta");
        assertThat(messageDelta.at("/delta/stop_reason").asText()).isEqualTo("tool_use");
        assertThat(messageDelta.at("/_toolgate/status").asText()).isEqualTo("allowed");
        assertThat(transcript.text()).endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    @Test
    void sdkStreamingAssemblesAnAllowedToolUse() {
        upstreamStreams(allowedShellFixture());

        Message message;
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params("Plan the change"))) {
            MessageAccumulator accumulator = MessageAccumulator.create();
            stream.stream().forEach(accumulator::accumulate);
            message = accumulator.message();
        }

        assertThat(message.content()).hasSize(2);
        ContentBlock call = message.content().get(1);
        assertThat(call.asToolUse().id()).isEqualTo("toolu_01AbCd");
        assertThat(call.asToolUse().name()).isEqualTo("run_shell");
        assertThat(call.asToolUse()._input().convert(JsonNode.class))
                .isEqualTo(JSON.createObjectNode().put("command", "terraform plan -auto-approve"));
        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
    }

    @Test
    void providerCredentialsGoUpstreamAndTheGatewayKeyDoesNot() throws IOException {
        upstreamAnswers(message("end_turn", TEXT));

        try (Response response = send("/v1/messages", REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
        }

        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/messages"))
                .withHeader("x-api-key", equalTo(CLIENT_PROVIDER_KEY))
                .withHeader("anthropic-version", equalTo(ANTHROPIC_VERSION))
                .withoutHeader("x-toolgate-key")
                .withoutHeader("Authorization"));
    }

    @Test
    void gatewayKeyInXApiKeyIsNotAcceptedWhenTheClientBringsTheProviderKey() throws IOException {
        upstreamAnswers(message("end_turn", TEXT));
        Request request = new Request.Builder().url(gateway.baseUrl() + "/v1/messages")
                .header("x-api-key", TestGateway.AGENT_KEY)
                .header("anthropic-version", ANTHROPIC_VERSION)
                .post(RequestBody.create(REQUEST, TestGateway.JSON)).build();

        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(401);
            JsonNode error = JSON.readTree(response.body().string()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("MISSING_API_KEY");
            assertThat(error.path("message").asText()).contains("x-toolgate-key");
        }
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void configuredProviderKeyLetsXApiKeyCarryTheGatewayKey() {
        useConfiguredProviderKey();
        upstreamAnswers(message("tool_use", toolUse("toolu_01Read", "read_file", "{\"path\":\"/srv/a.txt\"}")));
        // This SDK sends its API key as a Bearer token unless an x-api-key header is set; here that header is the gateway key.
        AnthropicClient agent = AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(TestGateway.AGENT_KEY)
                .putHeader("x-api-key", TestGateway.AGENT_KEY).maxRetries(0).build();

        Message message;
        try {
            message = agent.messages().create(params("Read it"));
        } finally {
            agent.close();
        }

        assertThat(message.content().get(0).asToolUse().id()).isEqualTo("toolu_01Read");
        assertThat(metadata(message).path("status").asText()).isEqualTo("allowed");
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/messages"))
                .withHeader("x-api-key", equalTo("sk-ant-configured"))
                .withHeader("anthropic-version", matching("\\d{4}-\\d{2}-\\d{2}"))
                .withoutHeader("x-toolgate-key")
                .withoutHeader("Authorization"));
        assertNoGatewayKeyWentUpstream();
    }

    @Test
    void configuredProviderKeyReplacesEveryClientCredential() throws IOException {
        useConfiguredProviderKey();
        upstreamAnswers(message("end_turn", TEXT));
        Request request = new Request.Builder().url(gateway.baseUrl() + "/v1/messages")
                .header("x-api-key", TestGateway.AGENT_KEY)
                .header("Authorization", "Bearer sk-ant-client-should-not-travel")
                .header("anthropic-version", ANTHROPIC_VERSION)
                .post(RequestBody.create(REQUEST, TestGateway.JSON)).build();

        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }

        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/messages"))
                .withHeader("x-api-key", equalTo("sk-ant-configured"))
                .withHeader("anthropic-version", equalTo(ANTHROPIC_VERSION))
                .withoutHeader("Authorization"));
        assertNoGatewayKeyWentUpstream();
    }

    private void useConfiguredProviderKey() {
        gateway.close();
        gateway = startGateway("anthropic: { base_url: \"" + upstream.baseUrl() + "\", api_key: \"sk-ant-configured\" }\n");
    }

    private static void assertNoGatewayKeyWentUpstream() {
        assertThat(upstream.getAllServeEvents()).isNotEmpty().allSatisfy(served ->
                assertThat(served.getRequest().getHeaders().toString()).doesNotContain(TestGateway.AGENT_KEY));
    }

    @Test
    void countTokensPassesThroughUntouched() throws IOException {
        String request = "{\"model\":\"claude-sonnet-4-5\",  \"messages\":[{\"role\":\"user\",\"content\":\"Hello, \\u00e9t\\u00e9\"}]}";
        String answer = "{\"input_tokens\":  2095}\n";
        upstream.stubFor(post(urlEqualTo("/v1/messages/count_tokens?beta=true")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("request-id", "req_count_1").withBody(answer)));

        try (Response response = send("/v1/messages/count_tokens?beta=true", request)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().bytes()).isEqualTo(answer.getBytes(StandardCharsets.UTF_8));
            assertThat(response.header("request-id")).isEqualTo("req_count_1");
            assertThat(response.header("x-toolgate-decision")).isNull();
        }

        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/messages/count_tokens?beta=true"))
                .withRequestBody(equalTo(request))
                .withHeader("x-api-key", equalTo(CLIENT_PROVIDER_KEY))
                .withHeader("anthropic-version", equalTo(ANTHROPIC_VERSION))
                .withoutHeader("x-toolgate-key"));
        assertThat(audited()).isEmpty();
    }

    @Test
    void sdkListsModelsFromTheAnthropicUpstreamWhileOpenAiClientsGetOpenAis() throws IOException {
        upstream.stubFor(get(urlPathEqualTo("/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5",
                          "created_at":"2025-09-29T00:00:00Z"}],"has_more":false,
                         "first_id":"claude-sonnet-4-5-20250929","last_id":"claude-sonnet-4-5-20250929"}""")));
        upstream.stubFor(get(urlPathEqualTo("/openai/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":1,\"owned_by\":\"openai\"}]}")));

        assertThat(sdk.models().list().data()).extracting(model -> model.id()).containsExactly("claude-sonnet-4-5-20250929");
        upstream.verify(1, getRequestedFor(urlPathEqualTo("/v1/models"))
                .withHeader("Authorization", equalTo("Bearer " + CLIENT_PROVIDER_KEY))
                .withHeader("anthropic-version", matching(".+"))
                .withoutHeader("x-toolgate-key"));

        Request openAiClient = new Request.Builder().url(gateway.baseUrl() + "/v1/models")
                .header("Authorization", "Bearer sk-openai-client").header("x-api-key", TestGateway.AGENT_KEY).get().build();
        try (Response response = gateway.http().newCall(openAiClient).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).contains("gpt-4o-mini");
        }
        upstream.verify(1, getRequestedFor(urlPathEqualTo("/openai/v1/models")));
    }

    @Test
    void sdkCountTokensWorksThroughTheGateway() {
        upstream.stubFor(post(urlEqualTo("/v1/messages/count_tokens")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"input_tokens\":17}")));

        long tokens = sdk.messages().countTokens(MessageCountTokensParams.builder().model(Model.CLAUDE_SONNET_4_5)
                .addUserMessage("Hello").build()).inputTokens();

        assertThat(tokens).isEqualTo(17);
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/messages/count_tokens"))
                .withHeader("Authorization", equalTo("Bearer " + CLIENT_PROVIDER_KEY))
                .withoutHeader("x-toolgate-key"));
    }
}
