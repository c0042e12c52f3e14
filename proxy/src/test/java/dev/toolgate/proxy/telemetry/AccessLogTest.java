package dev.toolgate.proxy.telemetry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One access line per request on standard output, as text or JSON: method, path without its
 * query, status, key name, decisions and overhead; an approval link's token never appears.
 */
class AccessLogTest {
    private static final String CHAT = "/v1/chat/completions";

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream standardOut;

    @BeforeEach
    void captureStandardOut() {
        standardOut = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(
                        ChatBodies.call("call_1", "read_file", "{\"path\":\"/srv/notes.txt\"}"),
                        ChatBodies.call("call_2", "delete_file", "{\"path\":\"/srv/notes.txt\"}")))));
    }

    @AfterEach
    void restoreStandardOut() {
        System.setOut(standardOut);
    }

    @Test
    void textLines() throws Exception {
        List<String> lines = traffic("");
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z POST /v1/chat/completions 200 key=support-bot decision=allowed,blocked overhead_us=\\d+"
                        + " duration_ms=\\d+\\.\\d{3} upstream_ms=\\d+\\.\\d{3}"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains(" GET /api/logs 200 key=ops decision=- overhead_us="));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains(" GET /api/approve/:token 404 key=- "));
        assertThat(String.join("\n", lines)).as("no query string, no token").doesNotContain("api_key", "secret-token-value");
    }

    @Test
    void jsonLines() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> lines = traffic("""
                logging:
                  format: json
                """);
        ObjectMapper json = new ObjectMapper();
        JsonNode chat = null;
        for (String line : lines) {
            JsonNode node = json.readTree(line);
            if ("/v1/chat/completions".equals(node.path("path").asText())) {
                chat = node;
            }
        }
        assertThat(chat).isNotNull();
        assertThat(Instant.parse(chat.path("time").asText())).as("the time the request was received, to the millisecond")
                .isBetween(before, Instant.now());
        assertThat(chat.path("method").asText()).isEqualTo("POST");
        assertThat(chat.path("route").asText()).isEqualTo("/v1/chat/completions");
        assertThat(chat.path("status").asInt()).isEqualTo(200);
        assertThat(chat.path("key").asText()).isEqualTo("support-bot");
        assertThat(chat.path("decisions").toString()).isEqualTo("[\"allowed\",\"blocked\"]");
        assertThat(chat.path("overhead_us").isNumber()).isTrue();
        assertThat(chat.path("duration_ms").isNumber()).isTrue();
    }

    @Test
    void accessLinesCanBeTurnedOff() throws Exception {
        assertThat(traffic("""
                logging:
                  access: false
                """)).isEmpty();
    }

    /** A chat completion, a logs page and an approval link; the access lines written meanwhile. */
    private List<String> traffic(String extraYaml) throws Exception {
        TestGateway gateway = TestGateway.builder(upstream.baseUrl() + "/v1").extra(extraYaml).start();
        try (Response chat = gateway.post(CHAT, TestGateway.AGENT_KEY, ChatBodies.REQUEST)) {
            assertThat(chat.code()).isEqualTo(200);
        }
        try (Response logs = gateway.get("/api/logs?api_key=" + TestGateway.ADMIN_KEY, null)) {
            assertThat(logs.code()).isEqualTo(200);
        }
        try (Response link = gateway.get("/api/approve/secret-token-value", null)) {
            assertThat(link.code()).isEqualTo(404);
        }
        gateway.close();  // writes the lines still queued
        return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(line -> line.contains(" /") || line.startsWith("{")).toList();
    }
}
