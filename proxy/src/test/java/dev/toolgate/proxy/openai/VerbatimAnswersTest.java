package dev.toolgate.proxy.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An answer whose calls are all released goes back as the upstream's bytes with the metadata block
 * added; an answer with a key given twice never does, with or without calls: the client gets what
 * the gateway read and decided.
 */
class VerbatimAnswersTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

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

    private static String answerWithChoicesTwice(String firstCall, String secondCall) {
        return "{\"id\":\"chatcmpl-d\",\"object\":\"chat.completion\",\"choices\":[" + choiceWith(firstCall) + "],"
                + "\"choices\":[" + choiceWith(secondCall) + "]}";
    }

    private static String choiceWith(String call) {
        return "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + call + "]},"
                + "\"finish_reason\":\"tool_calls\"}";
    }

    private static void upstreamAnswers(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private Response chat() throws IOException {
        return gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY, ChatBodies.REQUEST);
    }
}
