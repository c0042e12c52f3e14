package dev.toolgate.proxy.approval;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import dev.toolgate.storage.ApprovalStatus;
import java.io.IOException;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Approval requests reaching Slack and Teams from a running gateway (WireMock plays both
 * webhooks): one message per new approval, each channel with its own links, retried when the
 * webhook fails, and never in the way of the agent's answer or of a decision.
 */
class WebhookNotificationFlowTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension hooks = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String SECRET = "sk-abcdefghijklmnopqrstuvwx";
    private static final String TRANSFER = "{\"to\":\"acme\",\"amount\":2500,\"api_key\":\"" + SECRET + "\"}";
    private static final String SLACK = "/services/T0001/B0001/slackSecretPart";
    private static final String TEAMS = "/workflows/abc123/triggers/manual/paths/invoke";

    private TestGateway gateway;

    @BeforeEach
    void start() {
        INBOX.clear();
        // Teams Workflows webhooks answer 202 Accepted.
        hooks.stubFor(post(urlEqualTo(TEAMS + "?sig=teamsSecretPart")).willReturn(aResponse().withStatus(202)));
        gateway = TestGateway.builder(NO_UPSTREAM)
                .extra("""
                        notifications:
                          slack_webhook_url: "%s%s"
                          teams_webhook_url: "%s%s?sig=teamsSecretPart"
                        """.formatted(hooks.baseUrl(), SLACK, hooks.baseUrl(), TEAMS))
                .start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private void slackAnswers200() {
        hooks.stubFor(post(urlEqualTo(SLACK)).willReturn(ok("ok")));
    }

    private JsonNode intercept(String arguments) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"wire_transfer\",\"arguments\":" + arguments + "}")) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private String hold(String arguments) throws IOException {
        JsonNode answer = intercept(arguments);
        assertThat(answer.path("status").asText()).isEqualTo("pending_approval");
        return answer.path("approval_id").asText();
    }

    private Response press(String link) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(gateway.local(link)).post(new FormBody.Builder().build()).build())
                .execute();
    }

    private ApprovalStatus stored(String id) {
        return gateway.gateway().storage().approvals().find("default", id).orElseThrow().status();
    }

    private static String body(ServeEvent event) {
        return event.getRequest().getBodyAsString();
    }

    @Test
    void slackAndTeamsEachGetOneMessageWithTheFactsAndTheirOwnLinks() throws Exception {
        slackAnswers200();
        String id = hold(TRANSFER);

        String slack = INBOX.awaitBody(SLACK, 1);
        String teams = INBOX.awaitBody(TEAMS, 1);

        for (String message : List.of(slack, teams)) {
            assertThat(message).contains("wire_transfer", "support-bot", "big-transfers", id, "[REDACTED]");
            assertThat(message).doesNotContain(SECRET);
        }
        List<JsonNode> slackButtons = JSON.readTree(slack).findParents("action_id");
        assertThat(slackButtons).extracting(button -> button.path("action_id").asText()).containsExactly("approve", "deny");
        WebhookInbox.Links slackLinks = WebhookInbox.links(slack);
        WebhookInbox.Links teamsLinks = WebhookInbox.links(teams);
        assertThat(slackButtons.get(0).path("url").asText()).isEqualTo(slackLinks.approve());
        assertThat(slackButtons.get(1).path("url").asText()).isEqualTo(slackLinks.deny());
        assertThat(List.of(slackLinks.approve(), slackLinks.deny(), teamsLinks.approve(), teamsLinks.deny()))
                .as("a token per channel and action").doesNotHaveDuplicates();

        // The Teams link decides, and the audit knows it came from Teams; Slack's links are dead from then on.
        try (Response pressed = press(teamsLinks.approve())) {
            assertThat(pressed.code()).isEqualTo(200);
        }
        assertThat(gateway.gateway().storage().approvals().find("default", id).orElseThrow().decidedBy()).isEqualTo("teams link");
        try (Response dead = press(slackLinks.approve())) {
            assertThat(dead.code()).isEqualTo(410);
        }
        assertThat(INBOX.received(SLACK)).hasSize(1);
        assertThat(INBOX.received(TEAMS)).hasSize(1);
    }

    @Test
    void theSameCallWhilePendingSendsNoSecondMessage() throws Exception {
        slackAnswers200();
        String first = hold(TRANSFER);
        INBOX.await(SLACK, 1);
        INBOX.await(TEAMS, 1);

        assertThat(hold(TRANSFER)).isEqualTo(first);
        // A different call is a new approval; its messages are posted after any the repeat could have caused.
        String second = hold("{\"to\":\"globex\",\"amount\":9000}");
        INBOX.await(SLACK, 2);
        INBOX.await(TEAMS, 2);

        assertThat(second).isNotEqualTo(first);
        for (String path : List.of(SLACK, TEAMS)) {
            List<String> messages = INBOX.received(path).stream().map(WebhookNotificationFlowTest::body).toList();
            assertThat(messages).as(path).hasSize(2);
            assertThat(messages).filteredOn(message -> message.contains(first)).as(path).hasSize(1);
            assertThat(messages).filteredOn(message -> message.contains(second)).as(path).hasSize(1);
        }
    }

    @Test
    void aSlackWebhookFailingTwiceIsRetriedAndDeliveredAfterTheAgentHasItsAnswer() throws Exception {
        hooks.stubFor(post(urlEqualTo(SLACK)).inScenario("flaky slack").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(serverError().withBody("temporarily unavailable")).willSetStateTo("failed once"));
        hooks.stubFor(post(urlEqualTo(SLACK)).inScenario("flaky slack").whenScenarioStateIs("failed once")
                .willReturn(serverError().withBody("temporarily unavailable")).willSetStateTo("failed twice"));
        hooks.stubFor(post(urlEqualTo(SLACK)).inScenario("flaky slack").whenScenarioStateIs("failed twice")
                .willReturn(ok("ok")));

        JsonNode answer = intercept(TRANSFER);
        List<ServeEvent> deliveredBeforeTheAnswer = INBOX.received(SLACK).stream()
                .filter(event -> event.getResponse().getStatus() == 200).toList();

        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("status").asText()).isEqualTo("pending_approval");
        String id = answer.path("approval_id").asText();
        assertThat(stored(id)).isEqualTo(ApprovalStatus.PENDING);
        assertThat(deliveredBeforeTheAnswer).as("the answer does not wait for the webhook").isEmpty();

        List<ServeEvent> attempts = INBOX.await(SLACK, 3);
        assertThat(attempts).extracting(event -> event.getResponse().getStatus()).containsExactly(500, 500, 200);
        assertThat(attempts).extracting(WebhookNotificationFlowTest::body).as("each attempt is the same message")
                .containsOnly(body(attempts.get(0)));
        assertThat(body(attempts.get(2))).contains(id);
        assertThat(INBOX.received(TEAMS)).as("Teams was not held up by Slack").hasSize(1);

        try (Response pressed = press(WebhookInbox.links(body(attempts.get(2))).approve())) {
            assertThat(pressed.code()).isEqualTo(200);
        }
        assertThat(stored(id)).isEqualTo(ApprovalStatus.APPROVED);
    }

    @Test
    void aWebhookThatAlwaysFailsChangesNoDecision() throws Exception {
        hooks.stubFor(post(urlEqualTo(SLACK)).willReturn(serverError().withBody("no_service")));

        String approvedId = hold(TRANSFER);
        String failedMessage = INBOX.awaitBody(SLACK, 1);
        // Links are issued before delivery is tried: those in a message Slack refused still work.
        try (Response pressed = press(WebhookInbox.links(failedMessage).approve())) {
            assertThat(pressed.code()).isEqualTo(200);
        }
        assertThat(stored(approvedId)).isEqualTo(ApprovalStatus.APPROVED);
        JsonNode released = intercept(TRANSFER);
        assertThat(released.path("allowed").asBoolean()).isTrue();
        assertThat(released.path("approved_by").asText()).isEqualTo("slack link");

        String deniedId = hold("{\"to\":\"globex\",\"amount\":9000}");
        try (Response decided = gateway.post("/api/pending-approvals/" + deniedId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"denied\"}")) {
            assertThat(decided.code()).isEqualTo(200);
        }
        JsonNode blocked = intercept("{\"to\":\"globex\",\"amount\":9000}");
        assertThat(blocked.path("allowed").asBoolean()).isFalse();
        assertThat(blocked.path("reason").asText()).contains("denied by approver");
        assertThat(INBOX.await(SLACK, 2)).extracting(event -> event.getResponse().getStatus()).containsOnly(500);
    }
}
