package dev.toolgate.proxy.arguments;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import java.io.IOException;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code redaction} section of {@code toolgate.yaml} reaching every place arguments leave the
 * decision path: the audit log and its CSV export, the approvals API, the approver's Slack message
 * and the confirm page. The decision itself, and the approval kept for an exact replay, see the
 * raw arguments.
 */
class ConfiguredRedactionTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension hooks = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final String SLACK = "/services/T0001/B0001/redaction";
    private static final String EMPLOYEE = "EMP-004211";
    private static final String EMAIL = "jane.doe@example.com";
    private static final String CARD = "4111 1111 1111 1111";
    private static final String KEY = "sk-abcdefghijklmnopqrstuvwx";
    private static final List<String> SECRETS = List.of(EMPLOYEE, EMAIL, CARD, KEY);
    private static final String ARGUMENTS = """
            {"employee":"%s","notify":"%s","memo":"card %s, key %s","amount":2500}""".formatted(EMPLOYEE, EMAIL, CARD, KEY);
    /** Matches only on the raw employee id: a decision made on redacted arguments would let the call through. */
    private static final String POLICY = """
            policy: { default: allow }
            rules:
              - id: flagged-employee
                tools: [wire_transfer]
                when: "args.employee == '%s'"
                action: approve
            """.formatted(EMPLOYEE);

    private TestGateway gateway;

    @BeforeEach
    void start() {
        INBOX.clear();
        hooks.stubFor(post(urlEqualTo(SLACK)).willReturn(ok("ok")));
        gateway = TestGateway.builder("http://127.0.0.1:9/v1").policy(POLICY).extra("""
                notifications: { slack_webhook_url: "%s%s" }
                redaction:
                  patterns:
                    - { name: employee_id, regex: "EMP-[0-9]{6}" }
                  redact_emails: true
                """.formatted(hooks.baseUrl(), SLACK)).start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void everyViewOfTheArgumentsIsRedactedWhileTheDecisionSawThemRaw() throws Exception {
        JsonNode answer;
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"wire_transfer\",\"arguments\":" + ARGUMENTS + "}")) {
            answer = Json.MAPPER.readTree(response.body().string());
        }
        assertThat(answer.path("status").asText()).as("decided on the raw employee id").isEqualTo("pending_approval");
        String id = answer.path("approval_id").asText();

        String logs = get("/api/logs");
        assertThat(Json.MAPPER.readTree(logs).path("logs").get(0).path("arguments")).isEqualTo(Json.MAPPER.readTree("""
                {"employee":"[REDACTED:employee_id]","notify":"[REDACTED:email]",
                 "memo":"card [REDACTED:card], key [REDACTED:api_key]","amount":2500}"""));
        String csv = get("/api/logs/export");
        assertThat(csv).contains("[REDACTED:employee_id]", "[REDACTED:email]");
        String pendingList = get("/api/pending-approvals");
        String pendingOne = get("/api/pending-approvals/" + id);
        assertThat(pendingOne).contains("[REDACTED:employee_id]", "[REDACTED:email]");
        String slack = INBOX.awaitBody(SLACK, 1);
        assertThat(slack).contains("[REDACTED:employee_id]", "[REDACTED:email]");
        String confirmPage;
        try (Response page = gateway.http().newCall(new Request.Builder()
                .url(gateway.local(WebhookInbox.links(slack).approve())).get().build()).execute()) {
            assertThat(page.code()).isEqualTo(200);
            confirmPage = page.body().string();
        }
        assertThat(confirmPage).contains("[REDACTED:employee_id]", "[REDACTED:email]");

        for (String view : List.of(logs, csv, pendingList, pendingOne, slack, confirmPage)) {
            assertThat(view).doesNotContain(SECRETS);
        }
        // Kept raw, never shown: an approved call is replayed exactly as proposed.
        assertThat(gateway.gateway().storage().approvals().find("default", id).orElseThrow().arguments()).contains(EMPLOYEE, EMAIL);
    }

    /** A parse error quotes the token it stopped at; the audit log keeps that reason, redacted. */
    @Test
    void reasonsThatQuoteTheArgumentsAreRedactedToo() throws Exception {
        String awsKey = "AKIAIOSFODNN7EXAMPLE";
        String malformed = Json.MAPPER.writeValueAsString("{\"key\": " + awsKey + "}");
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"send_report\",\"arguments\":" + malformed + "}")) {
            JsonNode answer = Json.MAPPER.readTree(response.body().string());
            assertThat(answer.path("status").asText()).as("malformed arguments fail closed").isEqualTo("blocked");
        }

        JsonNode event = Json.MAPPER.readTree(get("/api/logs")).path("logs").get(0);
        assertThat(event.path("reasons").toString()).contains("not valid JSON", "[REDACTED:aws_access_key]").doesNotContain(awsKey);
        assertThat(event.toString()).doesNotContain(awsKey);
    }

    @Test
    void anApproversNoteIsRedactedInTheAuditLog() throws Exception {
        String id;
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"wire_transfer\",\"arguments\":" + ARGUMENTS + "}")) {
            id = Json.MAPPER.readTree(response.body().string()).path("approval_id").asText();
        }
        try (Response response = gateway.post("/api/pending-approvals/" + id + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\",\"note\":\"checked with " + EMAIL + ", key " + KEY + "\"}")) {
            assertThat(response.code()).isEqualTo(200);
        }

        JsonNode decision = Json.MAPPER.readTree(get("/api/logs")).path("logs").get(0);
        assertThat(decision.path("source").asText()).isEqualTo("approval");
        assertThat(decision.path("reasons").toString()).contains("approved by api:ops", "[REDACTED:email]", "[REDACTED:api_key]");
        assertThat(decision.toString()).doesNotContain(SECRETS);
    }

    private String get(String path) throws IOException {
        try (Response response = gateway.get(path, TestGateway.ADMIN_KEY)) {
            String body = response.body().string();
            assertThat(response.code()).as(path + ": " + body).isEqualTo(200);
            return body;
        }
    }
}
