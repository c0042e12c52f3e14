package dev.toolgate.proxy.approval;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.ChatModel;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStreamEvent;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After approval, the agent's retry of the same conversation on the Responses API and on Anthropic
 * Messages gets the approved call exactly as the model proposed it (same call id, same arguments),
 * without the model being asked again, whole and streamed, through the official SDKs.
 */
class ApprovedRetryReplayTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PENDING = "Tool requires human approval. Retry once approved.";
    private static final String WIRE = "{\"amount\":5000,\"to\":\"GB29NWBK60161331926819\",\"memo\":\"Q4 invoice\"}";
    /** STANDARD_RULES ends inside its rules list, so one more list item extends it. */
    private static final String POLICY = TestGateway.STANDARD_RULES + """
              - id: shell-needs-approval
                tools: [run_shell]
                action: approve
            """;

    private TestGateway gateway;
    private OpenAIClient openAi;
    private AnthropicClient anthropic;

    @BeforeEach
    void start() {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1").policy(POLICY)
                .extra("anthropic: { base_url: \"" + upstream.baseUrl() + "\" }\n").start();
        openAi = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey("sk-client")
                .putHeader("x-api-key", TestGateway.AGENT_KEY).maxRetries(0).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("sk-ant-client")
                .putHeader("x-toolgate-key", TestGateway.AGENT_KEY).maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        openAi.close();
        anthropic.close();
        gateway.close();
    }

    private void approve(String approvalId) throws Exception {
        try (okhttp3.Response decided = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\",\"note\":\"invoice checked\"}")) {
            assertThat(decided.code()).isEqualTo(200);
        }
    }

    private ApprovalStatus status(String approvalId) {
        return gateway.gateway().storage().approvals().find("default", approvalId).orElseThrow().status();
    }

    private static int upstreamCalls(String path) {
        return upstream.findAll(postRequestedFor(urlEqualTo(path))).size();
    }

    private List<AuditEvent> audit() {
        List<AuditEvent> events = new ArrayList<>(gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events());
        Collections.reverse(events);
        return events;
    }

    // Responses API

    private static String responseWith(String... items) {
        return ("{\"id\":\"resp_68f1a2b3c4\",\"object\":\"response\",\"created_at\":1763800000,\"status\":\"completed\","
                + "\"error\":null,\"incomplete_details\":null,\"instructions\":null,\"max_output_tokens\":null,"
                + "\"model\":\"gpt-4.1-mini-2025-04-14\",\"output\":[%s],\"parallel_tool_calls\":true,\"previous_response_id\":null,"
                + "\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,"
                + "\"usage\":{\"input_tokens\":64,\"input_tokens_details\":{\"cached_tokens\":0},"
                + "\"output_tokens\":22,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":86},\"metadata\":{}}")
                .formatted(String.join(",", items));
    }

    private static String functionCall(String itemId, String callId, String name, String arguments) {
        return "{\"id\":\"%s\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":%s,\"call_id\":\"%s\",\"name\":\"%s\"}"
                .formatted(itemId, JSON.valueToTree(arguments).toString(), callId, name);
    }

    private static ResponseCreateParams payTheInvoice() {
        return ResponseCreateParams.builder().model(ChatModel.GPT_4_1_MINI).input("Pay the Q4 invoice").build();
    }

    private static JsonNode metadata(Response response) {
        return response._additionalProperties().get("_toolgate").convert(JsonNode.class);
    }

    @Test
    void responsesRetryAfterApprovalReplaysTheApprovedCall() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(responseWith(functionCall("fc_wire1", "call_wire1", "wire_transfer", WIRE),
                        functionCall("fc_read1", "call_read1", "read_file", "{\"path\":\"/srv/invoice.pdf\"}")))));

        Response held = openAi.responses().create(payTheInvoice());
        assertThat(held.output()).first().satisfies(item -> assertThat(item.asMessage().content().get(0).asOutputText().text())
                .isEqualTo(PENDING));
        String approvalId = metadata(held).path("calls").get(0).path("approval_id").asText();
        assertThat(approvalId).isNotEmpty();

        approve(approvalId);
        Response retried = openAi.responses().create(payTheInvoice());

        assertThat(retried.output()).hasSize(2);
        ResponseFunctionToolCall wire = retried.output().get(0).asFunctionCall();
        assertThat(wire.id()).contains("fc_wire1");
        assertThat(wire.callId()).isEqualTo("call_wire1");
        assertThat(wire.name()).isEqualTo("wire_transfer");
        assertThat(wire.arguments()).isEqualTo(WIRE);
        // The call allowed beside it the first time comes back too: the first answer, decided again.
        assertThat(retried.output().get(1).asFunctionCall().callId()).isEqualTo("call_read1");
        assertThat(metadata(retried).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(retried).path("calls").get(0).path("approval_id").asText()).isEqualTo(approvalId);
        assertThat(upstreamCalls("/v1/responses")).as("the model was not asked again").isEqualTo(1);
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.CONSUMED);

        // Once: the same conversation again goes to the model, whose call is held anew.
        Response again = openAi.responses().create(payTheInvoice());
        assertThat(upstreamCalls("/v1/responses")).isEqualTo(2);
        assertThat(metadata(again).path("status").asText()).isEqualTo("partial");

        assertThat(audit()).extracting(AuditEvent::source, AuditEvent::tool, AuditEvent::decision).startsWith(
                tuple("proxy", "wire_transfer", "pending"),
                tuple("proxy", "read_file", "allowed"),
                tuple("approval", "wire_transfer", "approved"),
                tuple("proxy", "wire_transfer", "allowed"),
                tuple("proxy", "read_file", "allowed"));
        assertThat(audit().get(3).decidedBy()).isEqualTo("api:ops");
    }

    @Test
    void streamedResponsesRetryAfterApprovalReplaysTheApprovedCall() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(ChatBodies.fixture("responses-function-call.sse"))));

        Response held = streamed(payTheInvoice());
        assertThat(held.output().get(0).asMessage().content().get(0).asOutputText().text()).isEqualTo(PENDING);
        String approvalId = metadata(held).path("approval_id").asText();

        approve(approvalId);
        Response retried = streamed(payTheInvoice());

        assertThat(retried.output()).singleElement().satisfies(item -> {
            assertThat(item.asFunctionCall().callId()).isEqualTo("call_Wt5nV0aQ");
            assertThat(item.asFunctionCall().name()).isEqualTo("wire_transfer");
            assertThat(JSON.readTree(item.asFunctionCall().arguments()))
                    .isEqualTo(JSON.readTree("{\"to\":\"ACME Ltd\",\"amount\":5000,\"currency\":\"GBP\"}"));
        });
        assertThat(metadata(retried).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(retried).path("approved_by").asText()).isEqualTo("api:ops");
        assertThat(upstreamCalls("/v1/responses")).as("the model was not asked again").isEqualTo(1);
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.CONSUMED);
    }

    private Response streamed(ResponseCreateParams params) {
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        try (var stream = openAi.responses().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.response();
    }

    // Anthropic Messages

    private static String message(String stopReason, String... blocks) {
        return "{\"id\":\"msg_01Xk9\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
                + "\"content\":[" + String.join(",", blocks) + "],\"stop_reason\":\"" + stopReason + "\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":412,\"output_tokens\":58}}";
    }

    private static MessageCreateParams params(String prompt) {
        return MessageCreateParams.builder().model(Model.CLAUDE_SONNET_4_5).maxTokens(1024).addUserMessage(prompt).build();
    }

    private static JsonNode metadata(Message message) {
        return message._additionalProperties().get("_toolgate").convert(JsonNode.class);
    }

    @Test
    void anthropicRetryAfterApprovalReplaysTheApprovedToolUse() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(message("tool_use", "{\"type\":\"text\",\"text\":\"I'll pay it now.\"}",
                        "{\"type\":\"tool_use\",\"id\":\"toolu_wire1\",\"name\":\"wire_transfer\",\"input\":" + WIRE + "}"))));

        Message held = anthropic.messages().create(params("Pay the Q4 invoice"));
        assertThat(held.content()).extracting(block -> block.asText().text()).containsExactly("I'll pay it now.", PENDING);
        String approvalId = metadata(held).path("approval_id").asText();

        approve(approvalId);
        Message retried = anthropic.messages().create(params("Pay the Q4 invoice"));

        assertThat(retried.content()).hasSize(2);
        assertThat(retried.content().get(0).asText().text()).isEqualTo("I'll pay it now.");
        ContentBlock call = retried.content().get(1);
        assertThat(call.asToolUse().id()).isEqualTo("toolu_wire1");
        assertThat(call.asToolUse().name()).isEqualTo("wire_transfer");
        assertThat(call.asToolUse()._input().convert(JsonNode.class)).isEqualTo(JSON.readTree(WIRE));
        assertThat(retried.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(metadata(retried).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(retried).path("approved_by").asText()).isEqualTo("api:ops");
        assertThat(upstreamCalls("/v1/messages")).as("the model was not asked again").isEqualTo(1);
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.CONSUMED);

        anthropic.messages().create(params("Pay the Q4 invoice"));
        assertThat(upstreamCalls("/v1/messages")).as("once: the next retry asks the model").isEqualTo(2);
    }

    @Test
    void streamedAnthropicRetryAfterApprovalReplaysTheApprovedToolUse() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream; charset=utf-8")
                .withBody(ChatBodies.fixture("anthropic-text-then-tool-use.sse"))));

        List<RawMessageStreamEvent> first = streamed(params("Apply the change"));
        String approvalId = streamMetadata(first).path("approval_id").asText();
        assertThat(approvalId).isNotEmpty();

        approve(approvalId);
        List<RawMessageStreamEvent> events = streamed(params("Apply the change"));

        MessageAccumulator accumulator = MessageAccumulator.create();
        events.forEach(accumulator::accumulate);
        Message retried = accumulator.message();
        ContentBlock call = retried.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow();
        assertThat(call.asToolUse().id()).isEqualTo("toolu_01AbCd");
        assertThat(call.asToolUse().name()).isEqualTo("run_shell");
        assertThat(call.asToolUse()._input().convert(JsonNode.class).path("command").asText()).startsWith("terraform apply");
        assertThat(retried.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(streamMetadata(events).path("status").asText()).isEqualTo("allowed");
        assertThat(upstreamCalls("/v1/messages")).as("the model was not asked again").isEqualTo(1);
        assertThat(status(approvalId)).isEqualTo(ApprovalStatus.CONSUMED);
    }

    private List<RawMessageStreamEvent> streamed(MessageCreateParams params) {
        try (var stream = anthropic.messages().createStreaming(params)) {
            return stream.stream().toList();
        }
    }

    private static JsonNode streamMetadata(List<RawMessageStreamEvent> events) {
        return events.stream().filter(RawMessageStreamEvent::isMessageDelta).findFirst().orElseThrow()
                .asMessageDelta()._additionalProperties().get("_toolgate").convert(JsonNode.class);
    }
}
