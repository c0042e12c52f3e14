package dev.toolgate.proxy.telemetry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} scraped after known traffic and parsed as Prometheus text: request counts by
 * route and status, decisions by outcome and rule, the overhead and upstream histograms, the audit
 * figures; who may scrape it; and the overhead header on proxied answers.
 */
class MetricsTest {
    private static final String CHAT = "/v1/chat/completions";
    /** {@code name{labels} value}: one sample line of the text format. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void knownTrafficShowsInTheScrapedFigures() throws IOException {
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(
                        ChatBodies.call("call_1", "read_file", "{\"path\":\"/srv/notes.txt\"}"),
                        ChatBodies.call("call_2", "delete_file", "{\"path\":\"/srv/notes.txt\"}")))));
        gateway = TestGateway.start(upstream.baseUrl() + "/v1");
        for (int i = 0; i < 3; i++) {
            try (Response response = gateway.post(CHAT, TestGateway.AGENT_KEY, ChatBodies.REQUEST)) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.header(Exchange.OVERHEAD_HEADER)).as("a proxied answer says the gateway's overhead")
                        .matches("\\d+");
            }
        }
        try (Response notFound = gateway.get("/api/no-such-thing", TestGateway.ADMIN_KEY)) {
            assertThat(notFound.code()).isEqualTo(404);
            assertThat(notFound.header(Exchange.OVERHEAD_HEADER)).as("only proxied answers carry it").isNull();
        }

        Map<String, Double> metrics = scrape(gateway.get("/metrics", TestGateway.ADMIN_KEY));

        assertThat(metrics).containsEntry(
                "toolgate_http_requests_seconds_count{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"}", 3.0);
        assertThat(metrics).containsEntry("toolgate_http_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}", 1.0);
        assertThat(metrics).containsEntry("toolgate_decisions_total{outcome=\"allowed\",rule=\"none\",source=\"proxy\"}", 3.0);
        assertThat(metrics).containsEntry("toolgate_decisions_total{outcome=\"blocked\",rule=\"no-deletes\",source=\"proxy\"}", 3.0);
        assertThat(metrics).containsEntry("toolgate_gateway_overhead_seconds_count", 3.0);
        assertThat(metrics).as("a histogram with buckets from 25 us").containsKey("toolgate_gateway_overhead_seconds_bucket{le=\"2.5E-5\"}")
                .containsEntry("toolgate_gateway_overhead_seconds_bucket{le=\"+Inf\"}", 3.0);
        assertThat(metrics).containsEntry("toolgate_upstream_latency_seconds_count{route=\"/v1/chat/completions\"}", 3.0);
        assertThat(metrics.get("toolgate_audit_commit_seconds_count")).as("group commits made").isPositive();
        assertThat(metrics).containsKey("toolgate_audit_queue_events");
        assertThat(metrics).containsKey("toolgate_approvals_pending{workspace=\"default\"}");
        assertThat(metrics).containsEntry("toolgate_notifications_failed_total{channel=\"slack\"}", 0.0);
        assertThat(metrics).containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}");
        assertThat(metrics).containsEntry("toolgate_agents_breaker{state=\"halt\"}", 0.0);

        try (Response halted = gateway.post("/api/agents/support-bot/halt", TestGateway.ADMIN_KEY, "{}")) {
            assertThat(halted.code()).isEqualTo(200);
        }
        assertThat(scrape(gateway.get("/metrics", TestGateway.ADMIN_KEY)))
                .containsEntry("toolgate_agents_breaker{state=\"halt\"}", 1.0)
                .containsEntry("toolgate_agents_breaker{state=\"killed\"}", 0.0);
    }

    @Test
    void onlyAnAdminKeyScrapesTheGatewayPortAndTheSeparateListenerNeedsNone() throws IOException {
        gateway = TestGateway.builder(upstream.baseUrl()).extra("""
                metrics:
                  listen: "127.0.0.1:0"
                """).start();
        try (Response agent = gateway.get("/metrics", TestGateway.AGENT_KEY)) {
            assertThat(agent.code()).isEqualTo(403);
        }
        try (Response none = gateway.get("/metrics", null)) {
            assertThat(none.code()).isEqualTo(401);
        }
        int port = gateway.gateway().metricsPort();
        assertThat(port).isPositive();
        OkHttpClient http = new OkHttpClient();
        try (Response scraped = http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/metrics").build()).execute()) {
            assertThat(scraped.code()).isEqualTo(200);
            assertThat(scraped.header("Content-Type")).startsWith("text/plain; version=0.0.4");
            assertThat(scraped.body().string()).contains("toolgate_audit_queue_events");
        }
        try (Response other = http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/api/logs").build()).execute()) {
            assertThat(other.code()).as("the metrics listener serves nothing else").isEqualTo(404);
        }
    }

    @Test
    void metricsCanBeTurnedOff() throws IOException {
        gateway = TestGateway.builder(upstream.baseUrl()).extra("""
                metrics:
                  enabled: false
                """).start();
        try (Response response = gateway.get("/metrics", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(404);
        }
    }

    /** Each sample of the text format by its name and labels, as written. */
    static Map<String, Double> scrape(Response response) throws IOException {
        try (response) {
            assertThat(response.code()).isEqualTo(200);
            Map<String, Double> samples = new HashMap<>();
            for (String line : response.body().string().split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                Matcher sample = SAMPLE.matcher(line);
                assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
                String labels = sample.group(2) == null ? "" : sample.group(2);
                samples.put(sample.group(1) + labels, Double.parseDouble(sample.group(3)));
            }
            return samples;
        }
    }
}
