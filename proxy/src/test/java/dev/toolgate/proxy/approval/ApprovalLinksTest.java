package dev.toolgate.proxy.approval;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.PendingApproval;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one-click approve and deny links as an approver meets them: taken from the Slack message
 * the gateway sent (WireMock plays Slack), opened in a browser (GET) and pressed (POST).
 */
class ApprovalLinksTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension hooks = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String SECRET = "sk-abcdefghijklmnopqrstuvwx";
    private static final String TRANSFER = "{\"to\":\"acme\",\"amount\":2500,\"api_key\":\"" + SECRET + "\"}";
    private static final String HOSTILE_TOOL = "<script>alert(1)</script>";

    private final MutableClock clock = MutableClock.startingNow();
    private TestGateway gateway;
    private int slackMessages;

    @BeforeEach
    void stubSlack() {
        INBOX.clear();
        hooks.stubFor(post(urlEqualTo("/slack")).willReturn(ok("ok")));
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private TestGateway start(String approvalsYaml, String policyYaml) {
        gateway = TestGateway.builder(NO_UPSTREAM)
                .policy(policyYaml)
                .clock(clock)
                .extra(approvalsYaml)
                .extra("notifications: { slack_webhook_url: \"" + hooks.baseUrl() + "/slack\" }\n")
                .start();
        return gateway;
    }

    private TestGateway start() {
        return start("", TestGateway.STANDARD_RULES);
    }

    private JsonNode intercept(String tool, String arguments) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":" + JSON.writeValueAsString(tool) + ",\"arguments\":" + arguments + "}")) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    /** A held call and the links Slack was sent for it. */
    private record Held(String approvalId, WebhookInbox.Links links) {
    }

    private Held hold(String tool, String arguments) throws Exception {
        JsonNode answer = intercept(tool, arguments);
        assertThat(answer.path("status").asText()).isEqualTo("pending_approval");
        String message = INBOX.awaitBody("/slack", ++slackMessages);
        assertThat(message).contains(answer.path("approval_id").asText());
        return new Held(answer.path("approval_id").asText(), WebhookInbox.links(message));
    }

    private Held holdTransfer() throws Exception {
        return hold("wire_transfer", TRANSFER);
    }

    /** What a browser does when the link is opened. */
    private Response open(String link) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(gateway.local(link)).get().build()).execute();
    }

    /** What a browser does when the confirm page's button is pressed: the form posts back to the same URL. */
    private Response press(String link) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(gateway.local(link)).post(new FormBody.Builder().build()).build())
                .execute();
    }

    private PendingApproval stored(String id) {
        return gateway.gateway().storage().approvals().find("default", id).orElseThrow();
    }

    private static void assertHardenedHtml(Response response) {
        assertThat(response.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(response.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void openingTheApproveLinkShowsTheCallAndAButtonButDecidesNothing() throws Exception {
        start();
        Held held = holdTransfer();

        // Mail and chat scanners fetch links, sometimes more than once.
        for (int fetch = 1; fetch <= 3; fetch++) {
            try (Response page = open(held.links().approve())) {
                assertThat(page.code()).isEqualTo(200);
                assertHardenedHtml(page);
                String html = page.body().string();
                assertThat(html).contains("Approve this tool call?", "wire_transfer", "support-bot", "big-transfers",
                        "Any wire transfer over 1000 needs approval", "[REDACTED]", "acme", "<form method=\"post\">");
                assertThat(html).doesNotContain(SECRET);
            }
            assertThat(stored(held.approvalId()).status()).as("after fetch %d", fetch).isEqualTo(ApprovalStatus.PENDING);
        }
        try (Response page = open(held.links().deny())) {
            assertThat(page.code()).isEqualTo(200);
            assertThat(page.body().string()).contains("Deny this tool call?", "<form method=\"post\">");
        }
        assertThat(stored(held.approvalId()).status()).isEqualTo(ApprovalStatus.PENDING);
        assertThat(stored(held.approvalId()).decidedBy()).isNull();
    }

    @Test
    void pressingApproveDecidesOnceAndKillsBothLinks() throws Exception {
        start();
        Held held = holdTransfer();

        try (Response pressed = press(held.links().approve())) {
            assertThat(pressed.code()).isEqualTo(200);
            assertHardenedHtml(pressed);
            assertThat(pressed.body().string()).contains("<h1>Approved</h1>", "wire_transfer");
        }
        PendingApproval approval = stored(held.approvalId());
        assertThat(approval.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(approval.decidedBy()).isEqualTo("slack link");

        try (Response deny = open(held.links().deny())) {
            assertThat(deny.code()).isEqualTo(410);
            assertHardenedHtml(deny);
            assertThat(deny.body().string()).contains("already approved by slack link");
        }
        try (Response deny = press(held.links().deny())) {
            assertThat(deny.code()).isEqualTo(410);
        }
        try (Response used = open(held.links().approve())) {
            assertThat(used.code()).isEqualTo(410);
        }
        try (Response used = press(held.links().approve())) {
            assertThat(used.code()).isEqualTo(410);
        }
        assertThat(stored(held.approvalId()).status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(stored(held.approvalId()).decidedBy()).isEqualTo("slack link");

        JsonNode retried = intercept("wire_transfer", TRANSFER);
        assertThat(retried.path("allowed").asBoolean()).isTrue();
        assertThat(retried.path("approved_by").asText()).isEqualTo("slack link");
    }

    @Test
    void pressingDenyBlocksTheAgentsRetry() throws Exception {
        start();
        Held held = holdTransfer();

        try (Response pressed = press(held.links().deny())) {
            assertThat(pressed.code()).isEqualTo(200);
            assertThat(pressed.body().string()).contains("<h1>Denied</h1>");
        }
        assertThat(stored(held.approvalId()).status()).isEqualTo(ApprovalStatus.DENIED);
        assertThat(stored(held.approvalId()).decidedBy()).isEqualTo("slack link");

        JsonNode retried = intercept("wire_transfer", TRANSFER);
        assertThat(retried.path("allowed").asBoolean()).isFalse();
        assertThat(retried.path("status").asText()).isEqualTo("blocked");
        assertThat(retried.path("reason").asText()).contains("denied by approver");
        try (Response approve = press(held.links().approve())) {
            assertThat(approve.code()).isEqualTo(410);
        }
    }

    @Test
    void unknownMalformedAndMisdirectedTokensAre404() throws Exception {
        start();
        Held held = holdTransfer();
        String token = held.links().approve().substring(held.links().approve().lastIndexOf('/') + 1);
        String unknown = "A".repeat(21) + "-" + "b".repeat(20) + "_";
        assertThat(unknown).hasSize(43);

        List<String> paths = List.of(
                "/api/approve/" + unknown,
                "/api/deny/" + unknown,
                "/api/approve/short",
                "/api/approve/" + token + "A",
                "/api/approve/" + token.substring(0, 42) + "!",
                // A real approve token is no deny token.
                "/api/deny/" + token);
        for (String path : paths) {
            try (Response response = open(TestGateway.PUBLIC_URL + path)) {
                assertThat(response.code()).as("GET " + path).isEqualTo(404);
                assertHardenedHtml(response);
                assertThat(response.body().string()).contains("Unknown link");
            }
            try (Response response = press(TestGateway.PUBLIC_URL + path)) {
                assertThat(response.code()).as("POST " + path).isEqualTo(404);
            }
        }
        assertThat(stored(held.approvalId()).status()).isEqualTo(ApprovalStatus.PENDING);
    }

    @Test
    void aHostileToolNameIsShownEscaped() throws Exception {
        start("", TestGateway.STANDARD_RULES + """
                  - id: script-tools
                    description: Tools whose names look like markup need a person
                    tools: ["<script>*"]
                    action: approve
                """);
        Held held = hold(HOSTILE_TOOL, "{\"note\":\"</pre><img src=x onerror=alert(2)>\"}");

        for (String link : List.of(held.links().approve(), held.links().deny())) {
            try (Response page = open(link)) {
                assertThat(page.code()).isEqualTo(200);
                String html = page.body().string();
                assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;/pre&gt;&lt;img src=x onerror=alert(2)&gt;");
                assertThat(html).doesNotContain("<script", "<img");
                assertThat(html.split("</pre>", -1)).as("only the page's own </pre>").hasSize(2);
            }
        }
        try (Response pressed = press(held.links().deny())) {
            assertThat(pressed.code()).isEqualTo(200);
            assertThat(pressed.body().string()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
        }
        try (Response dead = open(held.links().approve())) {
            assertThat(dead.code()).isEqualTo(410);
            assertThat(dead.body().string()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
        }
    }

    @Test
    void inDirectModeOpeningTheDenyLinkDecides() throws Exception {
        start("approvals: { link_mode: direct }\n", TestGateway.STANDARD_RULES);
        Held held = holdTransfer();

        try (Response opened = open(held.links().deny())) {
            assertThat(opened.code()).isEqualTo(200);
            assertHardenedHtml(opened);
            assertThat(opened.body().string()).contains("<h1>Denied</h1>").doesNotContain("<form");
        }

        PendingApproval approval = stored(held.approvalId());
        assertThat(approval.status()).isEqualTo(ApprovalStatus.DENIED);
        assertThat(approval.decidedBy()).isEqualTo("slack link");
        try (Response approve = open(held.links().approve())) {
            assertThat(approve.code()).isEqualTo(410);
        }
        assertThat(stored(held.approvalId()).status()).isEqualTo(ApprovalStatus.DENIED);
    }

    @Test
    void aLinkOfAnExpiredApprovalIs410AndDecidesNothing() throws Exception {
        start("approvals: { expire_after: 1h }\n", TestGateway.STANDARD_RULES);
        Held held = holdTransfer();

        clock.advance(Duration.ofMinutes(61));

        try (Response opened = open(held.links().approve())) {
            assertThat(opened.code()).isEqualTo(410);
            assertHardenedHtml(opened);
            assertThat(opened.body().string()).contains("expired");
        }
        try (Response pressed = press(held.links().approve())) {
            assertThat(pressed.code()).isEqualTo(410);
        }
        try (Response pressed = press(held.links().deny())) {
            assertThat(pressed.code()).isEqualTo(410);
        }
        // The background expiry pass may or may not have run yet; either way no person decided.
        assertThat(stored(held.approvalId()).status()).isIn(ApprovalStatus.PENDING, ApprovalStatus.EXPIRED);
        gateway.gateway().approvals().expireDue();
        assertThat(stored(held.approvalId()).status()).isEqualTo(ApprovalStatus.EXPIRED);
        assertThat(stored(held.approvalId()).decidedBy()).isNotEqualTo("slack link");
    }
}
