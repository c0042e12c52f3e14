package dev.toolgate.proxy.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ScriptedUpstream.streamThen;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.ScriptedUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.Predicate;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failover through the real gateway: WireMock (or a scripted socket) as primary and fallback, the
 * client's view checked together with what each endpoint received, {@code GET /api/upstreams}
 * and the metrics.
 */
class UpstreamFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "/v1/chat/completions";
    private static final String FALLBACK_KEY = "sk-fallback-secret-0123456789";
    private static final String TEXT_EVENTS = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n";
    private static final String STREAM_REQUEST =
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @RegisterExtension
    static WireMockExtension primary = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();
    @RegisterExtension
    static WireMockExtension fallback = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String fallbacks(String url, String model, String more) {
        return """
                  fallbacks:
                    - { base_url: "%s", api_key: "%s"%s }
                %s""".formatted(url, FALLBACK_KEY, model.isEmpty() ? "" : ", model: " + model, more);
    }

    private TestGateway start(String primaryUrl, String upstreamSettings, MutableClock clock) {
        return TestGateway.builder(primaryUrl).upstreamSettings(upstreamSettings).clock(clock).start();
    }

    private static void fallbackAnswers(String body) {
        fallback.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }
    }

    private String chat() throws IOException {
        try (Response response = gateway.post(CHAT, TestGateway.AGENT_KEY, ChatBodies.REQUEST)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(200);
            return body;
        }
    }

    private JsonNode upstreams() throws IOException {
        try (Response response = gateway.get("/api/upstreams", TestGateway.ADMIN_KEY)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(200);
            assertThat(body).doesNotContain(FALLBACK_KEY);
            return JSON.readTree(body).path("upstreams");
        }
    }

    @Test
    void connectFailureOnThePrimaryIsServedByTheFallback() throws Exception {
        String dead = deadUrl();
        fallbackAnswers(ChatBodies.TEXT_ANSWER);
        gateway = start(dead, fallbacks(fallback.baseUrl() + "/v1", "", ""), MutableClock.startingNow());

        assertThat(chat()).isEqualTo(ChatBodies.TEXT_ANSWER);
        fallback.verify(1, postRequestedFor(urlEqualTo(CHAT)).withHeader("Authorization", equalTo("Bearer " + FALLBACK_KEY)));

        JsonNode upstreams = upstreams();
        assertThat(upstreams).hasSize(3);
        JsonNode first = upstreams.get(0);
        assertThat(first.path("provider").asText()).isEqualTo("openai");
        assertThat(first.path("url").asText()).isEqualTo(dead);
        assertThat(first.path("role").asText()).isEqualTo("primary");
        assertThat(first.path("requests").asInt()).isEqualTo(1);
        assertThat(first.path("error_rate").asDouble()).isEqualTo(1.0);
        assertThat(first.path("last_error").path("message").asText()).contains("cannot");
        assertThat(first.path("latency_ms").path("p50").isNull()).isTrue();
        JsonNode second = upstreams.get(1);
        assertThat(second.path("url").asText()).isEqualTo(fallback.baseUrl() + "/v1");
        assertThat(second.path("role").asText()).isEqualTo("fallback");
        assertThat(second.path("healthy").asBoolean()).isTrue();
        assertThat(second.path("requests").asInt()).isEqualTo(1);
        assertThat(second.path("error_rate").asDouble()).isZero();
        assertThat(second.path("latency_ms").path("p50").asDouble()).isPositive();
        assertThat(second.path("latency_ms").path("p99").asDouble()).isPositive();
        assertThat(second.path("last_error").isNull()).isTrue();
        assertThat(upstreams.get(2).path("provider").asText()).isEqualTo("anthropic");

        try (Response metrics = gateway.get("/metrics", TestGateway.ADMIN_KEY)) {
            String text = metrics.body().string();
            assertThat(text).contains("toolgate_upstream_failovers_total{from=\"" + dead + "\",provider=\"openai\",to=\""
                    + fallback.baseUrl() + "/v1\"} 1.0");
            assertThat(text).contains("toolgate_upstream_healthy{endpoint=\"" + fallback.baseUrl() + "/v1\",provider=\"openai\"} 1.0");
            assertThat(text).doesNotContain(FALLBACK_KEY);
        }
    }

    @Test
    void a503BeforeTheFirstByteIsRetriedOnTheFallbackWithItsModel() throws Exception {
        primary.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(503).withBody("{\"error\":\"overloaded\"}")));
        fallbackAnswers(ChatBodies.TEXT_ANSWER);
        gateway = start(primary.baseUrl() + "/v1", fallbacks(fallback.baseUrl() + "/v1", "backup-model", ""),
                MutableClock.startingNow());

        assertThat(chat()).isEqualTo(ChatBodies.TEXT_ANSWER);
        primary.verify(1, postRequestedFor(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath("$.model", equalTo("gpt-4o-mini"))));
        fallback.verify(1, postRequestedFor(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath("$.model", equalTo("backup-model")))
                .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo("Do the thing"))));
        assertThat(upstreams().get(1).path("model").asText()).isEqualTo("backup-model");
    }

    @Test
    void anthropicMessagesFailOverWithTheFallbacksOwnKey() throws Exception {
        String answer = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-backup\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\","
                + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
        fallback.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(answer)));
        gateway = TestGateway.builder(primary.baseUrl() + "/v1").extra("""
                anthropic:
                  base_url: "%s"
                  api_key: sk-ant-primary
                  fallbacks: [{ base_url: "%s", api_key: "%s", model: claude-backup }]
                """.formatted(deadUrl().replace("/v1", ""), fallback.baseUrl(), FALLBACK_KEY)).start();

        try (Response response = gateway.post("/v1/messages", TestGateway.AGENT_KEY,
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo(answer);
        }
        fallback.verify(1, postRequestedFor(urlEqualTo("/v1/messages")).withHeader("x-api-key", equalTo(FALLBACK_KEY))
                .withRequestBody(matchingJsonPath("$.model", equalTo("claude-backup"))));
        JsonNode anthropic = upstreams().get(2);
        assertThat(anthropic.path("provider").asText()).isEqualTo("anthropic");
        assertThat(anthropic.path("role").asText()).isEqualTo("fallback");
        assertThat(anthropic.path("requests").asInt()).isEqualTo(1);
    }

    @Test
    void theLastEndpointsErrorIsTheClients() throws Exception {
        primary.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(503).withBody("primary down")));
        fallback.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(429).withBody("fallback busy")));
        gateway = start(primary.baseUrl() + "/v1", fallbacks(fallback.baseUrl() + "/v1", "", ""), MutableClock.startingNow());

        try (Response response = gateway.post(CHAT, TestGateway.AGENT_KEY, ChatBodies.REQUEST)) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.body().string()).isEqualTo("fallback busy");
        }
    }

    @Test
    void aToolCallInTheFallbacksAnswerIsStillDecided() throws Exception {
        primary.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(500)));
        fallbackAnswers(ChatBodies.withToolCalls(ChatBodies.call("call_1", "delete_file", "{\"path\":\"/etc/passwd\"}")));
        gateway = start(primary.baseUrl() + "/v1", fallbacks(fallback.baseUrl() + "/v1", "", ""), MutableClock.startingNow());

        try (Response response = gateway.post(CHAT, TestGateway.AGENT_KEY, ChatBodies.REQUEST)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(200);
            assertThat(response.header("x-toolgate-decision")).isEqualTo("blocked");
            JsonNode message = JSON.readTree(body).path("choices").get(0).path("message");
            assertThat(message.path("tool_calls").isMissingNode() || message.path("tool_calls").isEmpty()).as(body).isTrue();
        }
        fallback.verify(1, postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void aStreamCutAfterItsFirstByteIsNotRetried() throws Exception {
        fallbackAnswers(ChatBodies.TEXT_ANSWER);
        try (ScriptedUpstream cutting = new ScriptedUpstream((connection, request) -> streamThen(TEXT_EVENTS, true))) {
            gateway = start(cutting.baseUrl(), fallbacks(fallback.baseUrl() + "/v1", "", ""), MutableClock.startingNow());
            try (Response response = gateway.post(CHAT, TestGateway.AGENT_KEY, STREAM_REQUEST)) {
                assertThat(response.code()).isEqualTo(200);
                String seen = readWhatArrives(response);
                assertThat(seen).contains("Hello").contains("UPSTREAM_RESET").doesNotContain("[DONE]");
            }
            assertThat(cutting.requests()).isEqualTo(1);
        }
        fallback.verify(0, postRequestedFor(urlEqualTo(CHAT)));
    }

    private static String readWhatArrives(Response response) {
        StringBuilder seen = new StringBuilder();
        try {
            var source = response.body().source();
            while (!source.exhausted()) {
                seen.append(source.readUtf8Line()).append('\n');
            }
        } catch (IOException cut) {
            // what arrived before the cut is what the client saw
        }
        return seen.toString();
    }

    @Test
    void aSlowPrimaryIsPassedOverUntilItsWindowForgetsIt() throws Exception {
        primary.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200).withFixedDelay(400)
                .withHeader("Content-Type", "application/json").withBody(ChatBodies.TEXT_ANSWER)));
        fallbackAnswers(ChatBodies.TEXT_ANSWER);
        MutableClock clock = MutableClock.startingNow();
        gateway = start(primary.baseUrl() + "/v1", fallbacks(fallback.baseUrl() + "/v1", "", """
                  conditions: { latency_threshold_ms: 200, window: 1m, min_requests: 1 }
                """), clock);

        chat();
        primary.verify(1, postRequestedFor(urlEqualTo(CHAT)));
        fallback.verify(0, postRequestedFor(urlEqualTo(CHAT)));
        JsonNode slow = upstreams().get(0);
        assertThat(slow.path("status").asText()).isEqualTo("degraded");
        assertThat(slow.path("healthy").asBoolean()).isFalse();
        assertThat(slow.path("latency_ms").path("mean").asDouble()).isGreaterThanOrEqualTo(400);

        chat();
        primary.verify(1, postRequestedFor(urlEqualTo(CHAT)));
        fallback.verify(1, postRequestedFor(urlEqualTo(CHAT)));

        // Recovery: once its slow answer is older than the window, the primary is first again.
        clock.advance(Duration.ofSeconds(61));
        assertThat(upstreams().get(0).path("status").asText()).isEqualTo("healthy");
        chat();
        primary.verify(2, postRequestedFor(urlEqualTo(CHAT)));
        fallback.verify(1, postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void aPrimaryFailingItsHealthCheckIsSkippedUntilACheckPasses() throws Exception {
        primary.stubFor(get(urlEqualTo("/v1/health")).willReturn(aResponse().withStatus(503)));
        primary.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(ChatBodies.TEXT_ANSWER)));
        fallback.stubFor(get(urlEqualTo("/v1/health")).willReturn(aResponse().withStatus(200)));
        fallbackAnswers(ChatBodies.TEXT_ANSWER);
        gateway = start(primary.baseUrl() + "/v1", fallbacks(fallback.baseUrl() + "/v1", "", """
                  health_check: { interval: 100ms, path: /health }
                """), MutableClock.startingNow());

        awaitPrimary(primaryView -> primaryView.path("status").asText().equals("unhealthy"));
        fallback.verify(moreThanOrExactly(1), getRequestedFor(urlEqualTo("/v1/health"))
                .withHeader("Authorization", equalTo("Bearer " + FALLBACK_KEY)));
        JsonNode unhealthy = upstreams().get(0);
        assertThat(unhealthy.path("last_check").path("ok").asBoolean()).isFalse();
        assertThat(unhealthy.path("last_check").path("result").asText()).isEqualTo("HTTP 503");
        chat();
        primary.verify(0, postRequestedFor(urlEqualTo(CHAT)));
        fallback.verify(1, postRequestedFor(urlEqualTo(CHAT)));

        primary.stubFor(get(urlEqualTo("/v1/health")).willReturn(aResponse().withStatus(200)));
        awaitPrimary(primaryView -> primaryView.path("status").asText().equals("healthy"));
        chat();
        primary.verify(1, postRequestedFor(urlEqualTo(CHAT)));
        fallback.verify(1, postRequestedFor(urlEqualTo(CHAT)));
    }

    private void awaitPrimary(Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode view = upstreams().get(0);
        while (!condition.test(view)) {
            assertThat(System.nanoTime()).as("primary never reached the expected state: " + view).isLessThan(deadline);
            Thread.sleep(50);
            view = upstreams().get(0);
        }
    }
}
