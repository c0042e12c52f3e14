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
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /api/deliveries} on the real gateway: create, list, read, change, verify against a
 * WireMock webhook, delete; webhook URLs to internal addresses refused unless the config allows them,
 * for delivery targets and for the approval notices' Slack and Teams webhooks alike.
 */
class DeliveriesApiTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension hooks = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String HOOK = "/hooks/T0001/secret-token";
    private static final String SLACK = "/services/T0001/B0001/slack-token";

    private TestGateway gateway;

    @BeforeEach
    void stubs() {
        INBOX.clear();
        hooks.resetAll();
        hooks.stubFor(post(urlEqualTo(HOOK)).willReturn(ok()));
        hooks.stubFor(post(urlEqualTo(SLACK)).willReturn(ok("ok")));
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void createListPatchVerifyDelete() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).extra("deliveries: { allow_private: true }\n").start();
        JsonNode created = send("POST", "/api/deliveries", """
                {"name": "Ops webhook", "type": "webhook", "config": {"url": "%s"}, "default_severity": "medium"}
                """.formatted(local(HOOK)), 201);
        String id = created.path("id").asText();
        String secret = created.path("signing_secret").asText();
        assertThat(secret).hasSize(64);
        // The URL's path is its credential: masked in every answer.
        assertThat(created.path("config").path("url").asText()).isEqualTo("http://127.0.0.1:" + hooks.getPort() + "/…");

        JsonNode list = send("GET", "/api/deliveries", null, 200);
        assertThat(list.path("deliveries")).hasSize(1);
        assertThat(list.toString()).doesNotContain(secret).doesNotContain("secret-token");
        assertThat(list.path("deliveries").get(0).path("signed").asBoolean()).isTrue();

        JsonNode patched = send("PATCH", "/api/deliveries/" + id, "{\"default_severity\": \"critical\", \"name\": \"Ops\"}", 200);
        assertThat(patched.path("default_severity").asText()).isEqualTo("critical");
        assertThat(send("GET", "/api/deliveries/" + id, null, 200).path("name").asText()).isEqualTo("Ops");

        JsonNode verified = send("POST", "/api/deliveries/" + id + "/verify", "{}", 200);
        assertThat(verified.path("delivered").asBoolean()).as(verified.toString()).isTrue();
        ServeEvent test = INBOX.await(HOOK, 1).get(0);
        assertThat(JSON.readTree(test.getRequest().getBodyAsString()).path("event").asText()).isEqualTo("delivery.verify");
        String timestamp = test.getRequest().getHeader("X-Toolgate-Timestamp");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        assertThat(test.getRequest().getHeader("X-Toolgate-Signature"))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(test.getRequest().getBody())));

        hooks.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(500)));
        JsonNode failed = send("POST", "/api/deliveries/" + id + "/verify", "{}", 200);
        assertThat(failed.path("delivered").asBoolean()).isFalse();
        assertThat(failed.path("error").asText()).isEqualTo("HTTP 500");

        assertThat(send("DELETE", "/api/deliveries/" + id, null, 200).path("deleted").asBoolean()).isTrue();
        assertThat(send("GET", "/api/deliveries/" + id, null, 404).path("error").path("code").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void slackTargetGetsASlackMessage() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).extra("deliveries: { allow_hosts: [127.0.0.1] }\n").start();
        String id = send("POST", "/api/deliveries", """
                {"name": "Slack DevOps", "type": "slack", "config": {"webhook_url": "%s"}, "default_severity": "high"}
                """.formatted(local(SLACK)), 201).path("id").asText();
        assertThat(send("POST", "/api/deliveries/" + id + "/verify", "{}", 200).path("delivered").asBoolean()).isTrue();
        JsonNode slack = JSON.readTree(INBOX.awaitBody(SLACK, 1));
        assertThat(slack.path("text").asText()).contains("Toolgate test message").contains("(high)");
    }

    @Test
    void webhookToLoopbackPrivateOrMetadataAddressIsRefusedByDefault() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).start();
        for (String url : new String[] {local(HOOK), "http://localhost/hook", "http://10.1.2.3/hook",
                "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://[fd00::1]/hook", "http://0.0.0.0/hook"}) {
            JsonNode refused = send("POST", "/api/deliveries", """
                    {"name": "internal", "type": "webhook", "config": {"url": "%s"}}""".formatted(url), 422);
            assertThat(refused.path("error").path("code").asText()).as(url).isEqualTo("WEBHOOK_URL_REFUSED");
        }
        JsonNode refused = send("POST", "/api/deliveries", """
                {"name": "internal", "type": "webhook", "config": {"url": "%s"}}""".formatted(local(HOOK)), 422);
        assertThat(refused.path("error").path("message").asText())
                .contains("resolves to 127.0.0.1, a loopback address").contains("deliveries.allow_hosts");
        assertThat(send("GET", "/api/deliveries", null, 200).path("deliveries")).isEmpty();
        assertThat(INBOX.received(HOOK)).isEmpty();

        // The approval notices' webhooks set through the API are screened the same way.
        JsonNode settings = send("PUT", "/api/notification-settings",
                "{\"slack_webhook_url\": \"" + local(SLACK) + "\"}", 422);
        assertThat(settings.path("error").path("code").asText()).isEqualTo("WEBHOOK_URL_REFUSED");
        assertThat(send("GET", "/api/notification-settings", null, 200).path("slack_webhook_url").asText()).isEmpty();
    }

    @Test
    void allowListLetsTheNamedRangeThrough() throws Exception {
        gateway = TestGateway.builder(NO_UPSTREAM).extra("deliveries: { allow_hosts: [127.0.0.0/8] }\n").start();
        send("POST", "/api/deliveries", """
                {"name": "local", "type": "webhook", "config": {"url": "%s"}}""".formatted(local(HOOK)), 201);
        send("POST", "/api/deliveries", """
                {"name": "private", "type": "webhook", "config": {"url": "http://10.1.2.3/hook"}}""", 422);
        send("PUT", "/api/notification-settings", "{\"teams_webhook_url\": \"" + local(SLACK) + "\"}", 200);
    }

    /** WireMock's address as 127.0.0.1: what the screen sees after resolving a name. */
    private static String local(String path) {
        return "http://127.0.0.1:" + hooks.getPort() + path;
    }

    private JsonNode send(String method, String path, String body, int status) throws Exception {
        return send(gateway, method, path, body, status);
    }

    /** Sends {@code body} (or none) with the admin key and returns the answer, asserting its status. */
    static JsonNode send(TestGateway gateway, String method, String path, String body, int status) throws Exception {
        Request.Builder request = new Request.Builder().url(gateway.baseUrl() + path).header("x-api-key", TestGateway.ADMIN_KEY);
        request.method(method, body == null ? null : RequestBody.create(body, TestGateway.JSON));
        try (Response response = gateway.http().newCall(request.build()).execute()) {
            String text = response.body().string();
            assertThat(response.code()).as(method + " " + path + ": " + text).isEqualTo(status);
            return JSON.readTree(text);
        }
    }
}
