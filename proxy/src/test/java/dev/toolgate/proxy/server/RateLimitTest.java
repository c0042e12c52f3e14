package dev.toolgate.proxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.time.Duration;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-key token buckets as a client sees them: the {@code X-RateLimit-*} headers, 429 and {@code Retry-After}. */
class RateLimitTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}";
    /** Three a minute, all at once: a token comes back every 20 s. */
    private static final String THREE_A_MINUTE = "limits:\n  rate_limit: { requests_per_minute: 3, burst: 3 }\n";

    private final MutableClock clock = MutableClock.startingNow();
    private TestGateway gateway;

    @AfterEach
    void stop() {
        gateway.close();
    }

    private void start(String extraYaml) {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1").clock(clock).extra(extraYaml).start();
    }

    private Response intercept() throws IOException {
        return gateway.post("/api/intercept", TestGateway.AGENT_KEY, CALL);
    }

    /** Limit, remaining and reset, as the client read them. */
    private static String limits(Response response) {
        return response.header("X-RateLimit-Limit") + " " + response.header("X-RateLimit-Remaining") + " "
                + response.header("X-RateLimit-Reset");
    }

    private void useAllThree() throws IOException {
        for (int i = 0; i < 3; i++) {
            try (Response response = intercept()) {
                assertThat(response.code()).isEqualTo(200);
            }
        }
    }

    @Test
    void remainingCountsDownAndTheFourthRequestIsRefusedWithRetryAfter() throws IOException {
        start(THREE_A_MINUTE);
        // Reset: seconds until the bucket is full again.
        for (String expected : new String[] {"3 2 20", "3 1 40", "3 0 60"}) {
            try (Response response = intercept()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(limits(response)).isEqualTo(expected);
            }
        }

        try (Response response = intercept()) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.header("Retry-After")).isEqualTo("20");
            assertThat(limits(response)).isEqualTo("3 0 60");
            JsonNode error = JSON.readTree(response.body().string()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(error.path("message").asText())
                    .isEqualTo("key 'support-bot' is over its rate limit of 3 requests a minute (burst 3); retry in 20 s");
        }
        assertThat(gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events())
                .as("a refused request is not decided").hasSize(3);
    }

    @Test
    void eachOfSeveralInstancesEnforcesItsShareOfTheLimit() throws IOException {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1").clock(clock).serverSetting("instances", "3")
                .extra("limits:\n  rate_limit: { requests_per_minute: 7, burst: 5 }\n").start();
        // A third of 7 a minute, burst 5, rounded up: 3 a minute, burst 2.
        for (String expected : new String[] {"2 1 20", "2 0 40"}) {
            try (Response response = intercept()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(limits(response)).isEqualTo(expected);
            }
        }
        try (Response response = intercept()) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(JSON.readTree(response.body().string()).at("/error/message").asText()).contains("3 requests a minute (burst 2)");
        }
    }

    @Test
    void requestsPassAgainAsTheBucketRefills() throws IOException {
        start(THREE_A_MINUTE);
        useAllThree();

        clock.advance(Duration.ofSeconds(19));
        try (Response response = intercept()) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.header("Retry-After")).isEqualTo("1");
        }
        clock.advance(Duration.ofSeconds(1));
        try (Response response = intercept()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(limits(response)).isEqualTo("3 0 60");
        }
        clock.advance(Duration.ofHours(1));
        try (Response response = intercept()) {
            assertThat(response.code()).as("a long pause refills to the burst, no further").isEqualTo(200);
            assertThat(limits(response)).isEqualTo("3 2 20");
        }
    }

    @Test
    void eachKeyHasItsOwnBucket() throws IOException {
        start(THREE_A_MINUTE);
        useAllThree();

        try (Response response = gateway.get("/api/logs", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(limits(response)).isEqualTo("3 2 20");
        }
        try (Response response = intercept()) {
            assertThat(response.code()).isEqualTo(429);
        }
    }

    @Test
    void aKeysOwnLimitOverridesTheDefault() throws IOException {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1").clock(clock).extra(THREE_A_MINUTE).keys("""
                keys:
                  - { name: support-bot, key: %s, role: agent, rate_limit: { requests_per_minute: 1 } }
                  - { name: ops, key: %s, role: admin, rate_limit: unlimited }
                """.formatted(TestGateway.AGENT_KEY, TestGateway.ADMIN_KEY)).start();

        try (Response response = intercept()) {
            assertThat(limits(response)).isEqualTo("1 0 60");
        }
        try (Response response = intercept()) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.header("Retry-After")).isEqualTo("60");
        }
        for (int i = 0; i < 5; i++) {
            try (Response response = gateway.get("/api/logs", TestGateway.ADMIN_KEY)) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.header("X-RateLimit-Limit")).as("an unlimited key has nothing to report").isNull();
            }
        }
    }

    @Test
    void everyAnswerToAKeyCountsAndSaysSoErrorsIncluded() throws IOException {
        start(THREE_A_MINUTE);
        try (Response response = gateway.get("/api/logs", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(limits(response)).isEqualTo("3 2 20");
        }
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, "{not json")) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(limits(response)).isEqualTo("3 1 40");
        }
    }

    @Test
    void requestsWithoutAValidKeyCarryNoLimitHeaders() throws IOException {
        start(THREE_A_MINUTE);
        try (Response response = gateway.post("/api/intercept", "not-a-key-0123456789", CALL)) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(response.header("X-RateLimit-Limit")).isNull();
        }
        try (Response response = gateway.get("/healthz", null)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("X-RateLimit-Limit")).isNull();
        }
    }

    @Test
    void streamedAnswersCarryTheHeadersToo() throws IOException {
        start(THREE_A_MINUTE);
        try (Response response = gateway.get("/api/logs/export", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(limits(response)).isEqualTo("3 2 20");
        }
        upstream.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"data\":[]}")));
        try (Response response = gateway.get("/v1/models", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("{\"data\":[]}");
            assertThat(limits(response)).isEqualTo("3 2 20");
        }
    }

    @Test
    void anUpstreamsOwnRateLimitHeadersArePassedThroughUnchanged() throws IOException {
        start(THREE_A_MINUTE);
        upstream.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "7")
                .withHeader("X-RateLimit-Limit", "10000").withHeader("X-RateLimit-Remaining", "0")
                .withBody("{\"error\":{\"message\":\"slow down\"}}")));

        try (Response response = gateway.get("/v1/models", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.header("Retry-After")).isEqualTo("7");
            assertThat(limits(response)).isEqualTo("10000 0 null");
        }
    }

    @Test
    void unlimitedWhenNothingIsConfigured() throws IOException {
        start("");
        for (int i = 0; i < 10; i++) {
            try (Response response = intercept()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.header("X-RateLimit-Limit")).isNull();
            }
        }
    }
}
