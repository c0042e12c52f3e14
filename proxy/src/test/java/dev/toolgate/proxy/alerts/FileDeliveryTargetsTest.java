package dev.toolgate.proxy.alerts;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.config.UnusableSettingException;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery targets written in {@code toolgate.yaml}: listed by {@code /api/deliveries} beside the
 * API's, named by alert rules, delivering signed with the file's secret, read-only through the API,
 * and a webhook to an internal address stopping the start unless the config allows it.
 */
class FileDeliveryTargetsTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension hooks = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String HOOK = "/hooks/file-target-token";
    private static final String SECRET = "file-target-signing-secret-0123";

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
    void aFileTargetIsListedUsedByAlertRulesAndReadOnly() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).extra(deliveries("allow_hosts: [127.0.0.0/8]")).start();

        JsonNode listed = send("GET", "/api/deliveries", null, 200).path("deliveries");
        assertThat(listed).hasSize(2);
        JsonNode hook = listed.get(0);
        assertThat(hook.path("id").asText()).isEqualTo("file:ops-hook");
        assertThat(hook.path("source").asText()).isEqualTo("file");
        assertThat(hook.path("type").asText()).isEqualTo("webhook");
        assertThat(hook.path("default_severity").asText()).isEqualTo("high");
        assertThat(hook.path("signed").asBoolean()).isTrue();
        assertThat(hook.path("config").path("url").asText()).isEqualTo("http://127.0.0.1:" + hooks.getPort() + "/…");
        assertThat(listed.get(1).path("config").path("to").asText()).isEqualTo("oncall@example.com");
        assertThat(listed.toString()).doesNotContain(SECRET).doesNotContain("file-target-token");

        assertThat(send("PATCH", "/api/deliveries/file:ops-hook", "{\"default_severity\": \"low\"}", 409)
                .path("error").path("code").asText()).isEqualTo("DELIVERY_IN_CONFIG");
        assertThat(send("DELETE", "/api/deliveries/file:ops-hook", null, 409).path("error").path("message").asText())
                .contains("toolgate.yaml");
        send("DELETE", "/api/deliveries/file:nothing", null, 404);
        send("POST", "/api/deliveries", """
                {"name": "ops-hook", "type": "email", "config": {"to": "x@example.com"}}""", 409);

        String ruleId = send("POST", "/api/alert-rules", """
                {"name": "Any block", "condition": {"metric": "block_rate", "threshold": 0.1, "window_seconds": 300},
                 "delivery_targets": ["ops-hook"], "severity": "high"}""", 201).path("id").asText();
        assertThat(send("GET", "/api/alert-rules/" + ruleId, null, 200).path("delivery_targets").get(0).asText())
                .isEqualTo("file:ops-hook");
        try (Response blocked = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"drop_database\",\"arguments\":{}}")) {
            assertThat(blocked.code()).isEqualTo(200);
        }
        gateway.gateway().alerting().evaluator().evaluate();
        var fired = INBOX.await(HOOK, 1).get(0);
        assertThat(JSON.readTree(fired.getRequest().getBodyAsString()).path("event").asText()).isEqualTo("alert.fired");
        AlertRulesTest.assertSigned(fired, SECRET);

        assertThat(send("POST", "/api/deliveries/file:ops-hook/verify", "{}", 200).path("delivered").asBoolean()).isTrue();
    }

    @Test
    void aFileWebhookToAnInternalAddressStopsTheStart() {
        assertThatThrownBy(() -> TestGateway.builder(NO_UPSTREAM).extra(deliveries("allow_private: false")).start())
                .rootCause().isInstanceOf(UnusableSettingException.class)
                .hasMessageContaining("deliveries.targets[ops-hook].url: host 127.0.0.1 resolves to 127.0.0.1, a loopback address");
        assertThat(INBOX.received(HOOK)).isEmpty();
    }

    private static String deliveries(String screening) {
        return """
                deliveries:
                  %s
                  evaluate_every: 1h
                  targets:
                    - { name: ops-hook, type: webhook, url: "http://127.0.0.1:%d%s", secret: "%s", default_severity: high }
                    - { name: oncall, type: email, to: oncall@example.com }
                """.formatted(screening, hooks.getPort(), HOOK, SECRET);
    }

    private JsonNode send(String method, String path, String body, int status) throws Exception {
        return DeliveriesApiTest.send(gateway, method, path, body, status);
    }
}
