package dev.toolgate.proxy.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.toolgate.proxy.server.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Slack and Teams messages as the webhooks receive them (WireMock plays both services). */
class WebhookNotificationTest {
    private static final String SLACK_PATH = "/services/T0001/B0001/slackSecretPart";
    private static final String TEAMS_PATH = "/workflows/abc123/triggers/manual/paths/invoke?sig=teamsSecretPart";

    @RegisterExtension
    static final WireMockExtension HOOKS = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private Notifier notifier;

    @BeforeEach
    void start() {
        HOOKS.stubFor(post(urlEqualTo(SLACK_PATH)).willReturn(ok("ok")));
        // Teams Workflows webhooks answer 202 Accepted.
        HOOKS.stubFor(post(urlEqualTo(TEAMS_PATH)).willReturn(aResponse().withStatus(202)));
        notifier = Notifier.builder().maxAttempts(2).retryDelay(Duration.ofMillis(5)).build();
    }

    @AfterEach
    void stop() {
        notifier.close();
    }

    @Test
    void slackGetsTheFactsAndItsOwnLinksAsButtons() throws Exception {
        DeliveryReport report = EmailNotificationTest.await(notifier.approvalRequested(Notices.approval(), slackOnly()));

        assertThat(report.allDelivered()).isTrue();
        LoggedRequest request = onlyRequest(SLACK_PATH);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        JsonNode message = Json.MAPPER.readTree(request.getBodyAsString());
        assertThat(message.path("text").asText()).isEqualTo("Approval needed: wire_transfer by support-bot");
        assertThat(texts(message.path("blocks"))).contains("wire_transfer", "support-bot", "acme", "payments-need-approval",
                Notices.RULE_TEXT, "2025-11-23T10:15:30Z", "\"api_key\": \"[REDACTED]\"", "[REDACTED:card]");

        JsonNode actions = block(message, "actions").path("elements");
        assertThat(actions).hasSize(2);
        ApprovalLinks links = Notices.links("slack");
        assertThat(actions.get(0).path("text").path("text").asText()).isEqualTo("Approve");
        assertThat(actions.get(0).path("url").asText()).isEqualTo(links.approveUrl());
        assertThat(actions.get(1).path("text").path("text").asText()).isEqualTo("Deny");
        assertThat(actions.get(1).path("url").asText()).isEqualTo(links.denyUrl());
        assertThat(request.getBodyAsString()).doesNotContain("email-approve", "teams-approve");
    }

    @Test
    void slackControlCharactersFromTheAgentCannotFormLinksOrMentions() throws Exception {
        String tool = "<!channel> <https://evil.example|Approve>";
        EmailNotificationTest.await(notifier.approvalRequested(Notices.approval(tool), slackOnly()));

        JsonNode message = Json.MAPPER.readTree(onlyRequest(SLACK_PATH).getBodyAsString());
        // Slack parses the top-level text and mrkdwn objects; plain_text (the header) is shown literally.
        List<String> parsed = new ArrayList<>(List.of(message.path("text").asText()));
        message.findParents("type").stream().filter(node -> node.path("type").asText().equals("mrkdwn"))
                .forEach(node -> parsed.add(node.path("text").asText()));
        assertThat(String.join("\n", parsed))
                .contains("&lt;!channel&gt; &lt;https://evil.example|Approve&gt;")
                .doesNotContain("<!channel>", "<https://evil");
    }

    @Test
    void slackExpiryNoticeHasNoButtons() throws Exception {
        DeliveryReport report = EmailNotificationTest.await(notifier.approvalExpired(Notices.expiry(), slackOnly()));

        assertThat(report.allDelivered()).isTrue();
        JsonNode message = Json.MAPPER.readTree(onlyRequest(SLACK_PATH).getBodyAsString());
        assertThat(message.path("text").asText()).startsWith("Approval expired: wire_transfer by support-bot");
        assertThat(texts(message.path("blocks"))).contains("counted as denied", "payments-need-approval", "[REDACTED]");
        assertThat(block(message, "actions")).isNull();
        assertThat(message.toString()).doesNotContain("/api/approve/", "/api/deny/");
    }

    @Test
    void teamsGetsAnAdaptiveCardWithTheFactsAndTwoOpenUrlActions() throws Exception {
        DeliveryReport report = EmailNotificationTest.await(notifier.approvalRequested(Notices.approval(), teamsOnly()));

        assertThat(report.allDelivered()).isTrue();
        LoggedRequest request = onlyRequest(TEAMS_PATH);
        JsonNode message = Json.MAPPER.readTree(request.getBodyAsString());
        assertThat(message.path("type").asText()).isEqualTo("message");
        JsonNode attachment = message.path("attachments").get(0);
        assertThat(attachment.path("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        JsonNode card = attachment.path("content");
        assertThat(card.path("type").asText()).isEqualTo("AdaptiveCard");
        assertThat(texts(card.path("body"))).contains("Approval needed: wire_transfer by support-bot", "support-bot", "acme",
                "payments-need-approval", Notices.RULE_TEXT, "2025-11-23T10:15:30Z", "\"api_key\": \"[REDACTED]\"");

        ApprovalLinks links = Notices.links("teams");
        JsonNode actions = card.path("actions");
        assertThat(actions).hasSize(2);
        assertThat(actions.get(0).path("type").asText()).isEqualTo("Action.OpenUrl");
        assertThat(actions.get(0).path("title").asText()).isEqualTo("Approve");
        assertThat(actions.get(0).path("url").asText()).isEqualTo(links.approveUrl());
        assertThat(actions.get(1).path("type").asText()).isEqualTo("Action.OpenUrl");
        assertThat(actions.get(1).path("title").asText()).isEqualTo("Deny");
        assertThat(actions.get(1).path("url").asText()).isEqualTo(links.denyUrl());
        assertThat(request.getBodyAsString()).doesNotContain("email-approve", "slack-approve");
    }

    @Test
    void teamsExpiryNoticeHasNoActions() throws Exception {
        DeliveryReport report = EmailNotificationTest.await(notifier.approvalExpired(Notices.expiry(), teamsOnly()));

        assertThat(report.allDelivered()).isTrue();
        JsonNode card = Json.MAPPER.readTree(onlyRequest(TEAMS_PATH).getBodyAsString()).path("attachments").get(0).path("content");
        assertThat(texts(card.path("body"))).contains("Approval expired: wire_transfer by support-bot", "counted as denied");
        assertThat(card.has("actions")).isFalse();
    }

    @Test
    void oneCallFansOutToEveryEnabledChannel() throws Exception {
        NotificationTargets both = new NotificationTargets("", url(SLACK_PATH), url(TEAMS_PATH));

        DeliveryReport report = EmailNotificationTest.await(notifier.approvalRequested(Notices.approval(), both));

        assertThat(report.approvalId()).isEqualTo(Notices.APPROVAL_ID);
        assertThat(report.deliveries()).extracting(ChannelDelivery::channel).containsExactly(Channel.SLACK, Channel.TEAMS);
        assertThat(report.allDelivered()).isTrue();
        HOOKS.verify(1, postRequestedFor(urlEqualTo(SLACK_PATH)).withRequestBody(
                containing(Notices.links("slack").approveUrl())));
        HOOKS.verify(1, postRequestedFor(urlEqualTo(TEAMS_PATH)).withRequestBody(
                containing(Notices.links("teams").approveUrl())));
    }

    @Test
    void aChannelWithoutLinksFailsAloneWithoutRetrying() throws Exception {
        ApprovalNotice full = Notices.approval();
        ApprovalNotice slackLinksOnly = new ApprovalNotice(full.approvalId(), full.workspace(), full.agent(), full.tool(),
                full.redactedArguments(), full.ruleId(), full.ruleText(), full.createdAt(), full.expiresAt(),
                full.recipientEmail(), Map.of("slack", Notices.links("slack")));

        DeliveryReport report = EmailNotificationTest.await(notifier.approvalRequested(slackLinksOnly,
                new NotificationTargets("", url(SLACK_PATH), url(TEAMS_PATH))));

        assertThat(report.channel(Channel.SLACK).orElseThrow().delivered()).isTrue();
        ChannelDelivery teams = report.channel(Channel.TEAMS).orElseThrow();
        assertThat(teams.delivered()).isFalse();
        assertThat(teams.attempts()).isEqualTo(1);
        assertThat(teams.lastError()).contains("no approve/deny links");
        HOOKS.verify(0, postRequestedFor(urlEqualTo(TEAMS_PATH)));
    }

    static String url(String path) {
        return HOOKS.baseUrl() + path;
    }

    private static NotificationTargets slackOnly() {
        return new NotificationTargets("", url(SLACK_PATH), "");
    }

    private static NotificationTargets teamsOnly() {
        return new NotificationTargets("", "", url(TEAMS_PATH));
    }

    private static LoggedRequest onlyRequest(String path) {
        List<LoggedRequest> requests = HOOKS.findAll(postRequestedFor(urlEqualTo(path)));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static JsonNode block(JsonNode message, String type) {
        for (JsonNode block : message.path("blocks")) {
            if (block.path("type").asText().equals(type)) {
                return block;
            }
        }
        return null;
    }

    /** Every "text" value anywhere under {@code node}, joined: what a person would read. */
    private static String texts(JsonNode node) {
        List<String> found = new ArrayList<>();
        collect(node, found);
        return String.join("\n", found);
    }

    private static void collect(JsonNode node, List<String> found) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().equals("text") && field.getValue().isTextual()) {
                    found.add(field.getValue().asText());
                } else {
                    collect(field.getValue(), found);
                }
            }
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, found));
        }
    }
}
