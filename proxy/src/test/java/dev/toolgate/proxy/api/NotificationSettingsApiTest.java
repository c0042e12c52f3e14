package dev.toolgate.proxy.api;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import java.io.IOException;
import java.nio.file.Path;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET|PUT /api/notification-settings}: a workspace's own approval channels over the
 * defaults from {@code toolgate.yaml}, webhook URLs never shown whole, and the next approval
 * request going where the settings say.
 */
class NotificationSettingsApiTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension hooks = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing here goes upstream; the address is never dialled. */
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    /** Defaults that are only shown, never posted to: no test here holds a call with them in force. */
    private static final String YAML_DEFAULTS = """
            notifications:
              email: { smtp_host: 127.0.0.1, smtp_port: 9, from: toolgate@example.com, to: ops@example.com, starttls: false }
              slack_webhook_url: "https://hooks.slack.com/services/T0/B0/yamlSlackSecret"
              teams_webhook_url: "https://example.webhook.office.com/webhookb2/yamlTeamsSecret"
            """;
    private static final String NEW_SLACK = "https://hooks.slack.com/services/T1/B1/apiSlackSecret";

    private TestGateway gateway;

    @BeforeEach
    void clearInbox() {
        INBOX.clear();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private TestGateway start(String storageUrl, String notificationsYaml) {
        gateway = TestGateway.builder(NO_UPSTREAM).storage(storageUrl).extra(notificationsYaml).start();
        return gateway;
    }

    private TestGateway start() {
        return start(TestGateway.memoryStorage(), YAML_DEFAULTS);
    }

    private Response put(String key, String json) throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + "/api/notification-settings")
                .header("x-api-key", key)
                .put(RequestBody.create(json, TestGateway.JSON))
                .build();
        return gateway.http().newCall(request).execute();
    }

    /** Puts as the admin of workspace default and returns the 200 answer, checked to show no secret. */
    private JsonNode putOk(String json) throws IOException {
        try (Response response = put(TestGateway.ADMIN_KEY, json)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            assertThat(text).doesNotContain("Secret");
            return JSON.readTree(text);
        }
    }

    private JsonNode settings(String key) throws IOException {
        try (Response response = gateway.get("/api/notification-settings", key)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("application/json");
            assertThat(text).as("webhook URLs carry their credential: shown masked").doesNotContain("Secret");
            return JSON.readTree(text);
        }
    }

    private JsonNode hold(String arguments) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"wire_transfer\",\"arguments\":" + arguments + "}")) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("status").asText()).isEqualTo("pending_approval");
            return answer;
        }
    }

    private static void assertYamlDefaults(JsonNode settings) {
        assertThat(settings.path("notify_email").asText()).isEqualTo("ops@example.com");
        assertThat(settings.path("slack_webhook_url").asText()).isEqualTo("https://hooks.slack.com/…");
        assertThat(settings.path("teams_webhook_url").asText()).isEqualTo("https://example.webhook.office.com/…");
        assertThat(settings.path("source").path("notify_email").asText()).isEqualTo("config");
        assertThat(settings.path("source").path("slack_webhook_url").asText()).isEqualTo("config");
        assertThat(settings.path("source").path("teams_webhook_url").asText()).isEqualTo("config");
    }

    private static void assertPutValues(JsonNode settings) {
        assertThat(settings.path("notify_email").asText()).isEqualTo("approvers@example.com");
        assertThat(settings.path("slack_webhook_url").asText()).isEqualTo("https://hooks.slack.com/…");
        assertThat(settings.path("teams_webhook_url").asText()).isEqualTo("https://example.webhook.office.com/…");
        assertThat(settings.path("source").path("notify_email").asText()).isEqualTo("api");
        assertThat(settings.path("source").path("slack_webhook_url").asText()).isEqualTo("api");
        assertThat(settings.path("source").path("teams_webhook_url").asText()).as("not in the PUT").isEqualTo("config");
    }

    @Test
    void getShowsTheConfigDefaultsWithWebhooksMasked() throws IOException {
        start();

        assertYamlDefaults(settings(TestGateway.ADMIN_KEY));
    }

    @Test
    void withoutNotificationsConfiguredEveryChannelIsOff() throws IOException {
        start(TestGateway.memoryStorage(), "");

        JsonNode settings = settings(TestGateway.ADMIN_KEY);
        assertThat(settings.path("notify_email").asText()).isEmpty();
        assertThat(settings.path("slack_webhook_url").asText()).isEmpty();
        assertThat(settings.path("teams_webhook_url").asText()).isEmpty();
    }

    @Test
    void putChangesOnlyTheFieldsGivenAndIsKept() throws IOException {
        start();

        JsonNode answer = putOk("{\"notify_email\":\"approvers@example.com\",\"slack_webhook_url\":\"" + NEW_SLACK + "\"}");

        assertPutValues(answer);
        assertPutValues(settings(TestGateway.ADMIN_KEY));
    }

    @Test
    void settingsSurviveARestart(@TempDir Path dir) throws IOException {
        String storage = "jdbc:h2:file:" + dir.resolve("tg");
        start(storage, YAML_DEFAULTS);
        putOk("{\"notify_email\":\"approvers@example.com\",\"slack_webhook_url\":\"" + NEW_SLACK + "\"}");
        gateway.close();

        start(storage, YAML_DEFAULTS);

        assertPutValues(settings(TestGateway.ADMIN_KEY));
    }

    @Test
    void anEmptyValueOrNullTurnsAChannelOff() throws IOException {
        start();

        JsonNode answer = putOk("{\"slack_webhook_url\":\"\",\"teams_webhook_url\":null}");

        for (JsonNode settings : new JsonNode[] {answer, settings(TestGateway.ADMIN_KEY)}) {
            assertThat(settings.path("slack_webhook_url").asText()).isEmpty();
            assertThat(settings.path("teams_webhook_url").asText()).isEmpty();
            assertThat(settings.path("source").path("slack_webhook_url").asText()).isEqualTo("api");
            assertThat(settings.path("source").path("teams_webhook_url").asText()).isEqualTo("api");
            assertThat(settings.path("notify_email").asText()).isEqualTo("ops@example.com");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not an email address   | {\"notify_email\":\"finance at example.com\"}",
            "two addresses          | {\"notify_email\":\"a@example.com, b@example.com\"}",
            "not an http URL        | {\"slack_webhook_url\":\"ftp://hooks.slack.com/services/x\"}",
            "a javascript URL       | {\"teams_webhook_url\":\"javascript:alert(1)\"}",
            "no scheme              | {\"slack_webhook_url\":\"hooks.slack.com/services/x\"}",
            "not a string           | {\"notify_email\":42}",
            "an unknown field       | {\"pagerduty_url\":\"https://events.pagerduty.com/x\"}",
            "one good, one bad      | {\"notify_email\":\"approvers@example.com\",\"slack_webhook_url\":\"not a url\"}"})
    void invalidSettingsAre422AndChangeNothing(String what, String body) throws IOException {
        start();

        try (Response response = put(TestGateway.ADMIN_KEY, body)) {
            assertThat(response.code()).isEqualTo(422);
            JsonNode error = JSON.readTree(response.body().string()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
            assertThat(error.path("message").asText()).isNotBlank();
        }
        assertYamlDefaults(settings(TestGateway.ADMIN_KEY));
    }

    @Test
    void anAgentKeyMayNeitherReadNorChangeSettings() throws IOException {
        start();

        try (Response response = gateway.get("/api/notification-settings", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
        }
        try (Response response = put(TestGateway.AGENT_KEY, "{\"slack_webhook_url\":\"\"}")) {
            assertThat(response.code()).isEqualTo(403);
        }
        assertYamlDefaults(settings(TestGateway.ADMIN_KEY));
    }

    @Test
    void settingsBelongToOneWorkspace() throws IOException {
        start();
        putOk("{\"notify_email\":\"approvers@example.com\",\"slack_webhook_url\":\"" + NEW_SLACK + "\"}");

        assertYamlDefaults(settings(TestGateway.OTHER_WORKSPACE_ADMIN_KEY));

        try (Response response = put(TestGateway.OTHER_WORKSPACE_ADMIN_KEY, "{\"notify_email\":\"\"}")) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertPutValues(settings(TestGateway.ADMIN_KEY));
    }

    @Test
    void theNextApprovalGoesToTheWebhooksSetThroughTheApi() throws Exception {
        hooks.stubFor(post(urlEqualTo("/slack")).willReturn(ok("ok")));
        hooks.stubFor(post(urlEqualTo("/teams-from-yaml")).willReturn(ok("ok")));
        hooks.stubFor(post(urlEqualTo("/teams-from-api")).willReturn(ok("ok")));
        // WireMock listens on loopback: allowed explicitly, as webhooks to internal addresses are refused by default.
        start(TestGateway.memoryStorage(), "notifications: { teams_webhook_url: \"" + hooks.baseUrl() + "/teams-from-yaml\" }\n"
                + "deliveries: { allow_private: true }\n");
        putOk("{\"slack_webhook_url\":\"" + hooks.baseUrl() + "/slack\",\"teams_webhook_url\":\"\"}");

        String first = hold("{\"to\":\"acme\",\"amount\":2500}").path("approval_id").asText();
        String slack = INBOX.awaitBody("/slack", 1);

        assertThat(slack).contains(first, "wire_transfer", "support-bot");
        WebhookInbox.links(slack);

        putOk("{\"teams_webhook_url\":\"" + hooks.baseUrl() + "/teams-from-api\"}");
        String second = hold("{\"to\":\"globex\",\"amount\":9000}").path("approval_id").asText();
        assertThat(INBOX.awaitBody("/teams-from-api", 1)).contains(second);
        assertThat(INBOX.awaitBody("/slack", 2)).contains(second);
        // Teams was off for the first request, and the config's Teams URL is overridden for the second.
        assertThat(INBOX.received("/teams-from-yaml")).isEmpty();
    }
}
