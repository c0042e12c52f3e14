package dev.toolgate.proxy.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official OpenAI Java SDK, with only its base URL changed, talking to the gateway. */
class OpenAiSdkThroughGatewayTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private TestGateway gateway;
    private OpenAIClient client;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(upstream.baseUrl() + "/v1");
        client = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.baseUrl() + "/v1")
                .apiKey("sk-client-provider-key")
                .putHeader("x-api-key", TestGateway.AGENT_KEY)
                .maxRetries(0)
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.close();
    }

    private static void upstreamAnswers(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private ChatCompletion ask() {
        return client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addUserMessage("Please do it")
                .build());
    }

    /** The gateway's metadata block, which the SDK keeps among the response's additional properties. */
    private static JsonNode metadata(ChatCompletion completion) {
        JsonValue block = completion._additionalProperties().get("_toolgate");
        assertThat(block).as("_toolgate block").isNotNull();
        return block.convert(JsonNode.class);
    }

    @Test
    void allowedCallReachesTheAgentIntact() {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_read1", "read_file", "{\"path\":\"/srv/report.txt\"}")));

        ChatCompletion completion = ask();

        List<ChatCompletionMessageToolCall> calls = completion.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_read1");
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("read_file");
        assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo("{\"path\":\"/srv/report.txt\"}");
        assertThat(completion.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
        assertThat(metadata(completion).path("status").asText()).isEqualTo("allowed");
        assertThat(metadata(completion).path("tool").asText()).isEqualTo("read_file");
        // The client's own provider key went upstream; the gateway key did not.
        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-client-provider-key"))
                .withoutHeader("x-api-key"));
    }

    @Test
    void blockedCallIsRemovedAndExplained() {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_del1", "delete_file", "{\"path\":\"/var/data/customers.csv\"}")));

        ChatCompletion completion = ask();

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(choice.message().content()).hasValue("Tool 'delete_file' is blocked by governance policy.");
        assertThat(choice.finishReason().asString()).isEqualTo("stop");
        JsonNode block = metadata(completion);
        assertThat(block.path("status").asText()).isEqualTo("blocked");
        assertThat(block.path("blocked").asBoolean()).isTrue();
        assertThat(block.path("tool").asText()).isEqualTo("delete_file");
        assertThat(block.path("rule").asText()).isEqualTo("no-deletes");
    }

    @Test
    void callNeedingApprovalIsHeldWithAnApprovalId() {
        upstreamAnswers(ChatBodies.withToolCalls(call("call_wire1", "wire_transfer", "{\"amount\":5000,\"to\":\"GB29NWBK60161331926819\"}")));

        ChatCompletion completion = ask();

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(choice.message().content()).hasValue("Tool requires human approval. Retry once approved.");
        JsonNode block = metadata(completion);
        assertThat(block.path("status").asText()).isEqualTo("pending_approval");
        assertThat(block.path("tool").asText()).isEqualTo("wire_transfer");
        String approvalId = block.path("approval_id").asText();
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId))
                .hasValueSatisfying(approval -> {
                    assertThat(approval.tool()).isEqualTo("wire_transfer");
                    assertThat(approval.agent()).isEqualTo("support-bot");
                    assertThat(approval.toolCallId()).isEqualTo("call_wire1");
                    assertThat(approval.approverEmail()).isEqualTo("finance@example.com");
                });
    }

    @Test
    void partialResponseKeepsTheAllowedCallOnly() {
        upstreamAnswers(ChatBodies.fixture("chat-two-tool-calls.json"));

        ChatCompletion completion = ask();

        List<ChatCompletionMessageToolCall> calls = completion.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).extracting(c -> c.asFunction().function().name()).containsExactly("get_weather");
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_Qm1x8Zr2");
        assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        assertThat(completion.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
        JsonNode block = metadata(completion);
        assertThat(block.path("status").asText()).isEqualTo("partial");
        assertThat(block.path("calls")).hasSize(2);
        JsonNode second = block.path("calls").get(1);
        assertThat(second.path("id").asText()).isEqualTo("call_Hp7Lw3Ts");
        assertThat(second.path("decision").asText()).isEqualTo("blocked");
        assertThat(second.path("rule").asText()).isEqualTo("no-deletes");
    }

    @Test
    void plainTextAnswerIsUnchanged() {
        upstreamAnswers(ChatBodies.TEXT_ANSWER);

        ChatCompletion completion = ask();

        assertThat(completion.choices().get(0).message().content()).hasValue("Bonjour été \ud83d\ude00 1.50E+3");
        assertThat(completion._additionalProperties()).doesNotContainKey("_toolgate");
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }
}
