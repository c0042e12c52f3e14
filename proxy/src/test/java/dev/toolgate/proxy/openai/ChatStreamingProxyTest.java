package dev.toolgate.proxy.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.toolgate.proxy.openai.chat.ChatStreamTranscript;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.StreamingUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code stream: true} through the real gateway: what an SDK assembles, and what bytes reach the client. */
class ChatStreamingProxyTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAM_REQUEST = """
            {"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},
             "messages":[{"role":"user","content":"Weather in Paris, and clean up the old file"}]}""";

    private TestGateway gateway;
    private OpenAIClient sdk;

    @AfterEach
    void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(String upstreamBaseUrl) {
        gateway = TestGateway.start(upstreamBaseUrl);
        sdk = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey("sk-client")
                .putHeader("x-api-key", TestGateway.AGENT_KEY).maxRetries(0).build();
    }

    /** The upstream streams {@code body} in many small pieces, splitting events and characters anywhere. */
    private static void upstreamStreams(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(body).withChunkedDribbleDelay(37, 150)));
    }

    private byte[] rawStream(String request) throws IOException {
        try (Response response = gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY, request)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("content-type")).startsWith("text/event-stream");
            return response.body().bytes();
        }
    }

    @Test
    void sdkAssemblesTheAllowedCallAndNeverSeesTheBlockedOne() throws IOException {
        start(upstream.baseUrl() + "/v1");
        upstreamStreams(ChatBodies.fixture("chat-two-tool-calls.sse"));

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage("Weather in Paris, and clean up")
                        .build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion completion = accumulator.chatCompletion();

        List<ChatCompletionMessageToolCall> calls = completion.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_Qm1x8Zr2");
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(text -> assertThat(text)
                .contains("I'll check the weather").contains("Tool 'delete_file' is blocked by governance policy."));
    }

    @Test
    void noByteOfTheBlockedCallReachesTheClient() throws IOException {
        start(upstream.baseUrl() + "/v1");
        upstreamStreams(ChatBodies.fixture("chat-two-tool-calls.sse"));

        String received = new String(rawStream(STREAM_REQUEST), StandardCharsets.UTF_8);

        assertThat(received).doesNotContain("customers.csv").doesNotContain("call_Hp7Lw3Ts\",\"type\"")
                .doesNotContain("\"name\":\"delete_file\"");
        ChatStreamTranscript transcript = ChatStreamTranscript.of(received.getBytes(StandardCharsets.UTF_8));
        assertThat(received).endsWith("data: [DONE]\n\n");
        JsonNode metadata = JSON.readTree(received.substring(received.lastIndexOf("data: {"), received.lastIndexOf("data: [DONE]")).substring(6));
        assertThat(metadata.path("_toolgate").path("status").asText()).isEqualTo("partial");
        assertThat(transcript).isNotNull();
    }

    @Test
    void textOnlyStreamIsByteForByte() throws IOException {
        start(upstream.baseUrl() + "/v1");
        StringBuilder body = new StringBuilder();
        for (String piece : List.of("Bon", "jour ", "\\u00e9t\\u00e9 ", "😀 ", "fin.")) {
            body.append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,")
                    .append("\"delta\":{\"content\":\"").append(piece).append("\"},\"finish_reason\":null}]}\n\n");
        }
        body.append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,")
                .append("\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n").append(": keep-alive comment\n\n").append("data: [DONE]\n\n");
        upstreamStreams(body.toString());

        assertThat(rawStream(STREAM_REQUEST)).isEqualTo(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void heldCallInAStreamIsStoredAndExplained() throws IOException {
        start(upstream.baseUrl() + "/v1");
        upstreamStreams(ChatBodies.fixture("chat-two-tool-calls.sse")
                .replace("get_weather", "wire_transfer").replace("{\\\"city", "{\\\"amount\\\":5000,\\\"city"));

        String received = new String(rawStream(STREAM_REQUEST), StandardCharsets.UTF_8);

        assertThat(received).contains("Tool requires human approval. Retry once approved.");
        JsonNode metadata = JSON.readTree(received.substring(received.lastIndexOf("data: {") + 6, received.lastIndexOf("data: [DONE]")));
        String approvalId = metadata.at("/_toolgate/calls/0/approval_id").asText();
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId))
                .hasValueSatisfying(approval -> assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING));
        assertThat(received).doesNotContain("\"name\":\"wire_transfer\"");
    }

    @Test
    void approvedCallIsReplayedAsAStreamWithoutTheModel() throws IOException {
        start(upstream.baseUrl() + "/v1");
        upstreamStreams(ChatBodies.fixture("chat-two-tool-calls.sse")
                .replace("get_weather", "wire_transfer").replace("{\\\"city", "{\\\"amount\\\":5000,\\\"city"));
        String first = new String(rawStream(STREAM_REQUEST), StandardCharsets.UTF_8);
        JsonNode metadata = JSON.readTree(first.substring(first.lastIndexOf("data: {") + 6, first.lastIndexOf("data: [DONE]")));
        String approvalId = metadata.at("/_toolgate/calls/0/approval_id").asText();
        try (Response decided = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\"}")) {
            assertThat(decided.code()).isEqualTo(200);
        }

        ChatStreamTranscript replay = ChatStreamTranscript.of(rawStream(STREAM_REQUEST));

        assertThat(replay.calls(0)).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("call_Qm1x8Zr2");
            assertThat(call.name()).isEqualTo("wire_transfer");
            assertThat(call.arguments()).isEqualTo("{\"amount\":5000,\"city\":\"Paris\",\"unit\":\"celsius\"}");
        });
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    @Test
    void oversizedStreamedArgumentsAreBlockedUnreadAndAudited() throws IOException {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1").extra("limits: { max_tool_argument_size: 1KiB }\n").start();
        String big = "x".repeat(3_000);
        String body = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_big\",\"type\":\"function\",\"function\":{\"name\":\"read_file\","
                + "\"arguments\":\"{\\\"path\\\":\\\"" + big + "\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
        upstreamStreams(body);

        String received = new String(rawStream(STREAM_REQUEST), StandardCharsets.UTF_8);

        assertThat(received).doesNotContain(big).contains("Tool 'read_file' is blocked by governance policy.");
        assertThat(gateway.gateway().storage().auditLog().query(dev.toolgate.storage.AuditQuery.of("default")).events())
                .singleElement().satisfies(event -> {
                    assertThat(event.decision()).isEqualTo("blocked");
                    assertThat(event.rules()).isEmpty();
                    assertThat(event.reasons()).anySatisfy(reason -> assertThat(reason).startsWith("oversized-arguments"));
                });
    }

    @Test
    void upstreamCutMidCallEndsTheStreamWithAnErrorAndReleasesNothingHeld() throws Exception {
        try (StreamingUpstream cut = new StreamingUpstream(out -> {
            out.write("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"Deleting now.\"},\"finish_reason\":null}]}\n\n");
            out.write("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_x\",\"type\":\"function\",\"function\":{\"name\":\"read_file\","
                    + "\"arguments\":\"{\\\"path\\\":\\\"/etc/sha\"}}]},\"finish_reason\":null}]}\n\n");
        }, false)) {
            start(cut.baseUrl());

            String received = new String(rawStream(STREAM_REQUEST), StandardCharsets.UTF_8);

            assertThat(received).contains("Deleting now.");
            assertThat(received).doesNotContain("/etc/sha").doesNotContain("call_x");
            assertThat(received).contains("\"code\":\"UPSTREAM_RESET\"");
        }
    }

    @Test
    void clientDisconnectCancelsTheUpstreamRequest() throws Exception {
        try (StreamingUpstream endless = new StreamingUpstream(out -> {
            for (int i = 0; i < 100_000; i++) {
                out.write("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\"tick " + i + " \"},\"finish_reason\":null}]}\n\n");
                Thread.sleep(5);
            }
        }, true)) {
            start(endless.baseUrl());
            Request request = new Request.Builder().url(gateway.baseUrl() + "/v1/chat/completions")
                    .header("x-api-key", TestGateway.AGENT_KEY)
                    .post(RequestBody.create(STREAM_REQUEST, TestGateway.JSON)).build();
            Response response = gateway.http().newCall(request).execute();
            try (InputStream body = response.body().byteStream()) {
                assertThat(body.readNBytes(2_000)).hasSize(2_000);
            }
            response.close();

            assertThat(endless.awaitPeerClosed(10)).as("the gateway closed the upstream connection").isTrue();
        }
    }
}
