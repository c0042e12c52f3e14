package dev.toolgate.proxy.alerts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alert rules on the real gateway with a fake clock: a block-rate rule fires once per window, sends
 * a recovery notice, and its messages reach a WireMock webhook signed with the target's secret; a
 * message queued before a restart is delivered after it.
 */
class AlertRulesTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension hooks = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOOK = "/hooks/ops";
    private static final String SECRET = "alert-signing-secret-0123456789";
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    /** WireMock listens on 127.0.0.1: these tests allow it explicitly. */
    private static final String ALLOW_LOCAL = """
            deliveries:
              allow_hosts: [127.0.0.0/8]
              evaluate_every: 1h
            """;
    private static final String BLOCKED = "{\"tool_name\":\"drop_database\",\"arguments\":{}}";
    private static final String ALLOWED = "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}";

    private final MutableClock clock = MutableClock.startingNow();
    private TestGateway gateway;

    @BeforeEach
    void stubs() {
        INBOX.clear();
        hooks.resetAll();
        hooks.stubFor(post(urlEqualTo(HOOK)).willReturn(ok()));
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void blockRateFiresOncePerWindowRecoversAndIsSigned() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).extra(ALLOW_LOCAL).start();
        String ruleId = createTargetAndRule(gateway);

        call(BLOCKED, 2);
        evaluate();
        ServeEvent fired = INBOX.await(HOOK, 1).get(0);
        JsonNode message = JSON.readTree(fired.getRequest().getBodyAsString());
        assertThat(message.path("event").asText()).isEqualTo("alert.fired");
        assertThat(message.path("rule_id").asText()).isEqualTo(ruleId);
        assertThat(message.path("metric").asText()).isEqualTo("block_rate");
        assertThat(message.path("severity").asText()).isEqualTo("high");
        assertThat(message.path("value").asDouble()).isEqualTo(1.0);
        assertSigned(fired);

        // Still breached: no repeat.
        call(BLOCKED, 1);
        evaluate();
        assertThat(gateway.gateway().alerting().outbox().deliverDue()).isZero();
        assertThat(INBOX.received(HOOK)).hasSize(1);
        assertThat(ruleView(ruleId).path("firing").asBoolean()).isTrue();

        // Allowed calls bring the rate under 0.5: recovered.
        clock.advance(Duration.ofMinutes(1));
        call(ALLOWED, 4);
        evaluate();
        JsonNode recovered = JSON.readTree(INBOX.awaitBody(HOOK, 2));
        assertThat(recovered.path("event").asText()).isEqualTo("alert.recovered");
        assertSigned(INBOX.received(HOOK).get(1));
        assertThat(ruleView(ruleId).path("firing").asBoolean()).isFalse();

        // Breached again within the window of the first firing: not sent again yet.
        call(BLOCKED, 4);
        evaluate();
        gateway.gateway().alerting().outbox().deliverDue();
        assertThat(INBOX.received(HOOK)).hasSize(2);

        // After the window: fires again.
        clock.advance(Duration.ofMinutes(5));
        call(BLOCKED, 2);
        evaluate();
        assertThat(JSON.readTree(INBOX.awaitBody(HOOK, 3)).path("event").asText()).isEqualTo("alert.fired");
    }

    @Test
    void aFiringOpensAGatewayIncidentAndItsRecoveryJoinsIt() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).extra(ALLOW_LOCAL).start();
        createTargetAndRule(gateway);
        call(BLOCKED, 2);
        evaluate();
        clock.advance(Duration.ofMinutes(1));
        call(ALLOWED, 4);
        evaluate();

        JsonNode incident = awaitAlertIncident(2);
        assertThat(incident.path("severity").asText()).isEqualTo("high");
        try (Response response = gateway.get("/api/incidents/" + incident.path("id").asText(), TestGateway.ADMIN_KEY)) {
            JsonNode timeline = JSON.readTree(response.body().string()).path("timeline");
            assertThat(timeline).extracting(entry -> entry.path("kind").asText()).containsExactly("alert", "alert");
            assertThat(timeline.get(0).path("summary").asText()).startsWith("alert 'Too many blocks' fired");
            assertThat(timeline.get(1).path("summary").asText()).isEqualTo("alert 'Too many blocks' recovered");
        }
    }

    /** The incident filed under the gateway (agent "-") once it holds {@code signals} signals. */
    private JsonNode awaitAlertIncident(int signals) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode incidents;
        do {
            try (Response response = gateway.get("/api/incidents?agent=-", TestGateway.ADMIN_KEY)) {
                incidents = JSON.readTree(response.body().string()).path("incidents");
            }
            if (incidents.size() == 1 && incidents.get(0).path("signal_count").asInt() == signals) {
                return incidents.get(0);
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no alert incident with " + signals + " signals; last seen: " + incidents);
    }

    @Test
    void testEndpointSendsATestAlertToTheRulesTargets() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).extra(ALLOW_LOCAL).start();
        String ruleId = createTargetAndRule(gateway);
        try (Response response = gateway.post("/api/alert-rules/" + ruleId + "/test", TestGateway.ADMIN_KEY, "{}")) {
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(response.code()).isEqualTo(200);
            assertThat(body.path("deliveries").get(0).path("delivered").asBoolean()).isTrue();
        }
        ServeEvent sent = INBOX.await(HOOK, 1).get(0);
        assertThat(JSON.readTree(sent.getRequest().getBodyAsString()).path("event").asText()).isEqualTo("alert.test");
        assertSigned(sent);
    }

    @Test
    void badConditionIsRefusedWithWhatWasExpected() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).extra(ALLOW_LOCAL).start();
        try (Response response = gateway.post("/api/alert-rules", TestGateway.ADMIN_KEY, """
                {"name": "x", "condition": {"metric": "block_rate", "threshold": 3}, "delivery_targets": ["none"]}""")) {
            assertThat(response.code()).isEqualTo(422);
            assertThat(response.body().string()).contains("condition.threshold: 3 (expected: a number from 0 to 1)");
        }
    }

    @Test
    void queuedMessageIsDeliveredAfterARestart(@TempDir Path dir) throws Exception {
        String database = "jdbc:h2:file:" + dir.resolve("toolgate");
        hooks.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(503)));
        gateway = TestGateway.builder(NO_UPSTREAM).storage(database).clock(clock).extra(ALLOW_LOCAL).start();
        createTargetAndRule(gateway);
        call(BLOCKED, 2);
        evaluate();
        // The first attempt failed: the message waits in the outbox for a retry when the gateway stops.
        INBOX.await(HOOK, 1);
        assertThat(gateway.gateway().alerting().outbox().deliverDue()).as("the retry is not due yet").isZero();
        assertThat(gateway.gateway().storage().alerting().outbox().unfinished()).isEqualTo(1);
        gateway.close();
        gateway = null;

        INBOX.clear();
        hooks.stubFor(post(urlEqualTo(HOOK)).willReturn(ok()));
        clock.advance(Duration.ofMinutes(10));
        gateway = TestGateway.builder(NO_UPSTREAM).storage(database).clock(clock).extra(ALLOW_LOCAL).start();
        ServeEvent resent = INBOX.await(HOOK, 1).get(0);
        assertThat(JSON.readTree(resent.getRequest().getBodyAsString()).path("event").asText()).isEqualTo("alert.fired");
        assertSigned(resent);
        // Waits for the pump's pass that sent it to record the delivery; nothing else is due.
        assertThat(gateway.gateway().alerting().outbox().deliverDue()).isZero();
        assertThat(gateway.gateway().storage().alerting().outbox().unfinished()).isZero();
    }

    private String createTargetAndRule(TestGateway gateway) throws Exception {
        String target = """
                {"name": "ops-hook", "type": "webhook", "config": {"url": "%s"}, "secret": "%s", "default_severity": "high"}
                """.formatted(hooks.baseUrl() + HOOK, SECRET);
        try (Response response = gateway.post("/api/deliveries", TestGateway.ADMIN_KEY, target)) {
            assertThat(response.code()).as(response.peekBody(2000).string()).isEqualTo(201);
        }
        String rule = """
                {"name": "Too many blocks", "condition": {"metric": "block_rate", "threshold": 0.5, "window_seconds": 300},
                 "delivery_targets": ["ops-hook"], "severity": "high"}""";
        try (Response response = gateway.post("/api/alert-rules", TestGateway.ADMIN_KEY, rule)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(201);
            return JSON.readTree(body).path("id").asText();
        }
    }

    private JsonNode ruleView(String id) throws Exception {
        try (Response response = gateway.get("/api/alert-rules/" + id, TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            return JSON.readTree(response.body().string());
        }
    }

    private void call(String toolCall, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, toolCall)) {
                assertThat(response.code()).isEqualTo(200);
            }
        }
    }

    private void evaluate() {
        gateway.gateway().alerting().evaluator().evaluate();
    }

    static void assertSigned(ServeEvent event) throws Exception {
        assertSigned(event, SECRET);
    }

    /** Recomputes the HMAC the way a receiver would: over "{timestamp}.{body}" with the shared secret. */
    static void assertSigned(ServeEvent event, String secret) throws Exception {
        String timestamp = event.getRequest().getHeader("X-Toolgate-Timestamp");
        String signature = event.getRequest().getHeader("X-Toolgate-Signature");
        assertThat(timestamp).matches("\\d+");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(event.getRequest().getBody()));
        assertThat(signature).isEqualTo(expected);
    }
}
