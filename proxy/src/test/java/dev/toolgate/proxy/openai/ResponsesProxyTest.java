package dev.toolgate.proxy.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.ChatModel;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.SseTranscript;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1/responses} through the real gateway: function_call items decided whole and
 * streamed, as the bytes on the wire and as the official OpenAI Java SDK sees them.
 */
class ResponsesProxyTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOCKED_DELETE = "Tool 'delete_file' is blocked by governance policy.";
    private static final String PENDING = "Tool requires human approval. Retry once approved.";
    private static final String REQUEST = """
            {"model":"gpt-4.1-mini","input":"Tidy up and pay the supplier",
             "tools":[{"type":"function","name":"read_file","parameters":{"type":"object"}}]}""";
    private static final String STREAM_REQUEST = """
            {"model":"gpt-4.1-mini","stream":true,"input":"Pay the ACME invoice"}""";
    /** A text-only answer with unusual spacing, escapes and number forms, to prove byte-for-byte pass-through. */
    private static final String TEXT_ONLY = "{\"id\":\"resp_text1\",  \"object\":\"response\",\"created_at\":1763800000,"
            + "\"status\":\"completed\",\"model\":\"gpt-4.1-mini-2025-04-14\",\"output\":[{\"id\":\"msg_abc\",\"type\":\"message\","
            + "\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
            + "\"text\":\"Bonjour \\u00e9t\\u00e9 \\ud83d\\ude00\",\"annotations\":[]}]}],\"temperature\":1.0E0,"
            + "\"parallel_tool_calls\":true,\"usage\":{\"input_tokens\":5,\"output_tokens\":7,\"total_tokens\":12}}\n";

    private TestGateway gateway;
    private OpenAIClient sdk;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(upstream.baseUrl() + "/v1");
        sdk = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey("sk-client")
                .putHeader("x-api-key", TestGateway.AGENT_KEY).maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        sdk.close();
        gateway.close();
    }

    /** A completed Responses API object with these output items, as the API returns it. */
    private static String responseWith(String... items) {
        return ("{\"id\":\"resp_68f1a2b3c4\",\"object\":\"response\",\"created_at\":1763800000,\"status\":\"completed\","
                + "\"error\":null,\"incomplete_details\":null,\"instructions\":null,\"max_output_tokens\":null,"
                + "\"model\":\"gpt-4.1-mini-2025-04-14\",\"output\":[%s],\"parallel_tool_calls\":true,\"previous_response_id\":null,"
                + "\"reasoning\":{\"effort\":null,\"summary\":null},\"store\":true,\"temperature\":1.0,"
                + "\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,"
                + "\"truncation\":\"disabled\",\"usage\":{\"input_tokens\":64,\"input_tokens_details\":{\"cached_tokens\":0},"
                + "\"output_tokens\":22,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":86},"
                + "\"user\":null,\"metadata\":{}}").formatted(String.join(",", items));
    }

    private static String functionCall(String itemId, String callId, String name, String arguments) {
        return "{\"id\":\"%s\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":%s,\"call_id\":\"%s\",\"name\":\"%s\"}"
                .formatted(itemId, JSON.valueToTree(arguments).toString(), callId, name);
    }

    /** The upstream answers in many small pieces, so the gateway reassembles it from awkward cuts. */
    private static void upstreamAnswers(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("x-request-id", "req_resp_1")
                .withBody(body).withChunkedDribbleDelay(23, 100)));
    }

    /** The upstream streams {@code body}, split inside events, lines and escapes. */
    private static void upstreamStreams(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(body).withChunkedDribbleDelay(41, 150)));
    }

    private okhttp3.Response ask() throws IOException {
        return gateway.post("/v1/responses", TestGateway.AGENT_KEY, REQUEST);
    }

    private byte[] rawStream() throws IOException {
        try (okhttp3.Response response = gateway.post("/v1/responses", TestGateway.AGENT_KEY, STREAM_REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("content-type")).startsWith("text/event-stream");
            return response.body().bytes();
        }
    }

    private List<AuditEvent> audited() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
    }

    private static JsonNode withoutMetadata(JsonNode body) {
        ObjectNode copy = body.deepCopy();
        copy.remove("_toolgate");
        return copy;
    }

    /** Decision and approval ids are random UUIDs, which may spell any digits; they are no leak. */
    private static String withoutIds(String text) {
        return text.replaceAll("[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", "<id>");
    }

    /** The fixture up to (not including) the first event of this type. */
    private static String fixtureBefore(String fixture, String eventType) {
        return fixture.substring(0, fixture.indexOf("event: " + eventType + "\n"));
    }

    private static JsonNode metadata(Response response) {
        JsonValue block = response._additionalProperties().get("_toolgate");
        assertThat(block).as("_toolgate block").isNotNull();
        return block.convert(JsonNode.class);
    }

    @Test
    void allowedFunctionCallIsReturnedUnchangedPlusTheMetadataBlock() throws IOException {
        String upstreamBody = responseWith(functionCall("fc_read1", "call_read1", "read_file", "{\"path\": \"/srv/report.txt\"}"));
        upstreamAnswers(upstreamBody);

        try (okhttp3.Response response = ask()) {
            assertThat(response.code()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(withoutMetadata(body)).isEqualTo(JSON.readTree(upstreamBody));
            assertThat(body.at("/output/0/arguments").asText()).isEqualTo("{\"path\": \"/srv/report.txt\"}");
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("allowed");
            assertThat(body.at("/_toolgate/tool").asText()).isEqualTo("read_file");
            assertThat(response.header("x-toolgate-decision")).isEqualTo("allowed");
            assertThat(response.header("x-request-id")).isEqualTo("req_resp_1");
            String decisionId = response.header("x-toolgate-decision-id");
            assertThat(body.at("/_toolgate/decision_id").asText()).isEqualTo(decisionId);
            assertThat(gateway.gateway().storage().auditLog().findByEventId(decisionId)).hasValueSatisfying(event -> {
                assertThat(event.source()).isEqualTo("proxy");
                assertThat(event.decision()).isEqualTo("allowed");
                assertThat(event.tool()).isEqualTo("read_file");
                assertThat(event.toolCallId()).isEqualTo("call_read1");
                assertThat(event.agent()).isEqualTo("support-bot");
                assertThat(event.model()).isEqualTo("gpt-4.1-mini");
                assertThat(event.upstreamStatus()).isEqualTo(200);
            });
        }
    }

    @Test
    void blockedFunctionCallIsReplacedInPlaceByAMessageItem() throws IOException {
        String upstreamBody = responseWith(
                "{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\","
                        + "\"content\":[{\"type\":\"output_text\",\"text\":\"Cleaning up.\",\"annotations\":[]}]}",
                functionCall("fc_del1", "call_del1", "delete_file", "{\"path\":\"/var/data/customers.csv\"}"));
        upstreamAnswers(upstreamBody);

        try (okhttp3.Response response = ask()) {
            assertThat(response.code()).isEqualTo(200);
            String text = response.body().string();
            JsonNode body = JSON.readTree(text);
            assertThat(body.path("output")).hasSize(2);
            assertThat(body.at("/output/0")).isEqualTo(JSON.readTree(upstreamBody).at("/output/0"));
            JsonNode replacement = body.at("/output/1");
            assertThat(replacement.path("type").asText()).isEqualTo("message");
            assertThat(replacement.path("role").asText()).isEqualTo("assistant");
            assertThat(replacement.path("id").asText()).startsWith("msg_toolgate_");
            assertThat(replacement.at("/content/0/type").asText()).isEqualTo("output_text");
            assertThat(replacement.at("/content/0/text").asText()).as("set off from the model's text before it")
                    .isEqualTo("\n\n" + BLOCKED_DELETE);
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("blocked");
            assertThat(body.at("/_toolgate/blocked").asBoolean()).isTrue();
            assertThat(body.at("/_toolgate/rule").asText()).isEqualTo("no-deletes");
            assertThat(body.path("usage")).isEqualTo(JSON.readTree(upstreamBody).path("usage"));
            assertThat(text).doesNotContain("customers.csv").doesNotContain("function_call").doesNotContain("fc_del1");
            assertThat(response.header("x-toolgate-decision")).isEqualTo("blocked");
        }
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo("proxy");
            assertThat(event.decision()).isEqualTo("blocked");
            assertThat(event.tool()).isEqualTo("delete_file");
            assertThat(event.toolCallId()).isEqualTo("call_del1");
            assertThat(event.rules()).containsExactly("no-deletes");
        });
    }

    @Test
    void functionCallOverTheLimitIsHeldForApprovalAndStored() throws IOException {
        upstreamAnswers(responseWith(functionCall("fc_wire1", "call_wire1", "wire_transfer",
                "{\"to\":\"ACME Ltd\",\"amount\":5000,\"currency\":\"GBP\"}")));

        String approvalId;
        try (okhttp3.Response response = ask()) {
            assertThat(response.code()).isEqualTo(200);
            String text = response.body().string();
            JsonNode body = JSON.readTree(text);
            assertThat(body.path("output")).singleElement().satisfies(item -> {
                assertThat(item.path("type").asText()).isEqualTo("message");
                assertThat(item.at("/content/0/text").asText()).isEqualTo(PENDING);
            });
            assertThat(body.at("/_toolgate/status").asText()).isEqualTo("pending_approval");
            assertThat(body.at("/_toolgate/tool").asText()).isEqualTo("wire_transfer");
            approvalId = body.at("/_toolgate/approval_id").asText();
            assertThat(approvalId).isNotBlank();
            assertThat(response.header("x-toolgate-decision")).isEqualTo("pending_approval");
            assertThat(response.header("x-toolgate-approval-url"))
                    .isEqualTo(TestGateway.PUBLIC_URL + "/api/pending-approvals/" + approvalId);
            assertThat(response.header("retry-after")).isEqualTo("30");
            assertThat(withoutIds(text)).doesNotContain("ACME").doesNotContain("5000");
        }
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId)).hasValueSatisfying(approval -> {
            assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING);
            assertThat(approval.tool()).isEqualTo("wire_transfer");
            assertThat(approval.toolCallId()).isEqualTo("call_wire1");
            assertThat(approval.agent()).isEqualTo("support-bot");
            assertThat(approval.ruleId()).isEqualTo("big-transfers");
            assertThat(approval.approverEmail()).isEqualTo("finance@example.com");
        });
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo("proxy");
            assertThat(event.decision()).isEqualTo("pending");
            assertThat(event.approvalId()).isEqualTo(approvalId);
        });
    }

    @Test
    void responseWithoutCallsIsReturnedByteForByte() throws IOException {
        upstreamAnswers(TEXT_ONLY);

        try (okhttp3.Response response = ask()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().bytes()).isEqualTo(TEXT_ONLY.getBytes(StandardCharsets.UTF_8));
            assertThat(response.header("x-request-id")).isEqualTo("req_resp_1");
            assertThat(response.header("x-toolgate-decision")).isNull();
        }
        assertThat(audited()).isEmpty();
    }

    @Test
    void streamedCallHeldForApprovalNeverSendsItsArguments() throws IOException {
        String fixture = ChatBodies.fixture("responses-function-call.sse");
        upstreamStreams(fixture);

        byte[] received = rawStream();

        SseTranscript transcript = SseTranscript.of(received);
        String text = transcript.text();
        assertThat(withoutIds(text)).doesNotContain("ACME").doesNotContain("5000").doesNotContain("GBP");
        assertThat(text).doesNotContain("function_call");
        assertThat(text).as("events before the call pass as received").startsWith(fixtureBefore(fixture, "response.output_item.added"));
        assertThat(transcript.types()).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed");
        assertThat(transcript.only("response.output_text.delta").path("delta").asText()).isEqualTo(PENDING);
        List<Long> numbers = transcript.events().stream().map(event -> event.json().path("sequence_number").asLong()).toList();
        assertThat(numbers).as("sequence numbers").isSorted().doesNotHaveDuplicates();

        JsonNode completed = transcript.only("response.completed").path("response");
        assertThat(completed.path("output")).singleElement().satisfies(item -> {
            assertThat(item.path("type").asText()).isEqualTo("message");
            assertThat(item.at("/content/0/text").asText()).isEqualTo(PENDING);
        });
        assertThat(completed.path("usage").path("total_tokens").asInt()).isEqualTo(86);
        JsonNode metadata = completed.path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("pending_approval");
        assertThat(metadata.path("tool").asText()).isEqualTo("wire_transfer");
        String approvalId = metadata.path("approval_id").asText();
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId)).hasValueSatisfying(approval -> {
            assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING);
            assertThat(approval.tool()).isEqualTo("wire_transfer");
            assertThat(approval.toolCallId()).isEqualTo("call_Wt5nV0aQ");
        });
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo("proxy");
            assertThat(event.decision()).isEqualTo("pending");
            assertThat(event.tool()).isEqualTo("wire_transfer");
            assertThat(event.approvalId()).isEqualTo(approvalId);
        });
    }

    @Test
    void streamedAllowedCallIsRelayedAsReceived() throws IOException {
        String fixture = ChatBodies.fixture("responses-function-call.sse").replace("5000", "500");
        upstreamStreams(fixture);

        SseTranscript transcript = SseTranscript.of(rawStream());

        assertThat(transcript.text()).as("every event but the last, byte for byte")
                .startsWith(fixtureBefore(fixture, "response.completed"));
        JsonNode completed = transcript.only("response.completed").path("response");
        assertThat(completed.at("/output/0/type").asText()).isEqualTo("function_call");
        assertThat(completed.at("/output/0/arguments").asText()).isEqualTo("{\"to\":\"ACME Ltd\",\"amount\":500,\"currency\":\"GBP\"}");
        assertThat(completed.at("/_toolgate/status").asText()).isEqualTo("allowed");
        assertThat(completed.at("/_toolgate/tool").asText()).isEqualTo("wire_transfer");
        assertThat(audited()).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo("proxy");
            assertThat(event.decision()).isEqualTo("allowed");
            assertThat(event.toolCallId()).isEqualTo("call_Wt5nV0aQ");
        });
    }

    @Test
    void sdkCreateSeesTheAllowedCallIntact() {
        upstreamAnswers(responseWith(functionCall("fc_read1", "call_read1", "read_file", "{\"path\":\"/srv/report.txt\"}")));

        Response response = sdk.responses().create(ResponseCreateParams.builder().model(ChatModel.GPT_4_1_MINI)
                .input("Read the report").build());

        assertThat(response.output()).singleElement().satisfies(item -> {
            assertThat(item.isFunctionCall()).isTrue();
            ResponseFunctionToolCall call = item.asFunctionCall();
            assertThat(call.callId()).isEqualTo("call_read1");
            assertThat(call.name()).isEqualTo("read_file");
            assertThat(call.arguments()).isEqualTo("{\"path\":\"/srv/report.txt\"}");
        });
        assertThat(metadata(response).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(response).path("tool").asText()).isEqualTo("read_file");
        // The client's provider key went upstream; the gateway key did not.
        upstream.verify(postRequestedFor(urlEqualTo("/v1/responses"))
                .withHeader("Authorization", equalTo("Bearer sk-client"))
                .withoutHeader("x-api-key")
                .withoutHeader("x-toolgate-key"));
        assertThat(audited()).extracting(AuditEvent::source, AuditEvent::decision).containsExactly(
                tuple("proxy", "allowed"));
    }

    @Test
    void sdkCreateSeesTheBlockedCallAsAnAssistantMessage() {
        upstreamAnswers(responseWith(functionCall("fc_del1", "call_del1", "delete_file", "{\"path\":\"/var/data/customers.csv\"}")));

        Response response = sdk.responses().create(ResponseCreateParams.builder().model(ChatModel.GPT_4_1_MINI)
                .input("Clean up").build());

        assertThat(response.output()).noneMatch(ResponseOutputItem::isFunctionCall);
        assertThat(response.output()).singleElement().satisfies(item -> {
            assertThat(item.isMessage()).isTrue();
            assertThat(item.asMessage().content()).singleElement()
                    .satisfies(part -> assertThat(part.asOutputText().text()).isEqualTo(BLOCKED_DELETE));
        });
        JsonNode metadata = metadata(response);
        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("rule").asText()).isEqualTo("no-deletes");
    }

    @Test
    void sdkStreamingSeesTheHeldCallAsAMessageAndTheMetadataOnCompletion() {
        upstreamStreams(ChatBodies.fixture("responses-function-call.sse"));

        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model(ChatModel.GPT_4_1_MINI).input("Pay the ACME invoice").build())) {
            events = stream.stream().toList();
        }

        assertThat(events).noneMatch(ResponseStreamEvent::isFunctionCallArgumentsDelta);
        assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDelta).map(event -> event.asOutputTextDelta().delta())
                .collect(Collectors.joining())).isEqualTo(PENDING);
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        events.forEach(accumulator::accumulate);
        Response completed = accumulator.response();
        assertThat(completed.output()).singleElement().satisfies(item -> {
            assertThat(item.isMessage()).isTrue();
            assertThat(item.asMessage().content().get(0).asOutputText().text()).isEqualTo(PENDING);
        });
        JsonNode metadata = metadata(completed);
        assertThat(metadata.path("status").asText()).isEqualTo("pending_approval");
        assertThat(gateway.gateway().storage().approvals().find("default", metadata.path("approval_id").asText())).isPresent();
        assertThat(audited()).extracting(AuditEvent::source).containsExactly("proxy");
    }

    @Test
    void sdkStreamingAssemblesAnAllowedCall() {
        upstreamStreams(ChatBodies.fixture("responses-function-call.sse").replace("5000", "500"));

        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model(ChatModel.GPT_4_1_MINI).input("Pay the ACME invoice").build())) {
            events = stream.stream().toList();
        }

        String expected = "{\"to\":\"ACME Ltd\",\"amount\":500,\"currency\":\"GBP\"}";
        assertThat(events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
                .map(event -> event.asFunctionCallArgumentsDelta().delta()).collect(Collectors.joining())).isEqualTo(expected);
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        events.forEach(accumulator::accumulate);
        Response completed = accumulator.response();
        assertThat(completed.output()).singleElement().satisfies(item -> {
            assertThat(item.asFunctionCall().callId()).isEqualTo("call_Wt5nV0aQ");
            assertThat(item.asFunctionCall().name()).isEqualTo("wire_transfer");
            assertThat(item.asFunctionCall().arguments()).isEqualTo(expected);
        });
        assertThat(metadata(completed).path("status").asText()).isEqualTo("allowed");
    }
}
