package dev.toolgate.proxy.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Standing approvals through the real gateway: an approver approves a held wire transfer and, with
 * it, the same tool for the same agent for a while within argument bounds; later calls within them
 * are allowed without a person, others are held as before, and the grant expires, runs out of calls
 * and can be revoked, every step audited.
 */
class StandingApprovalsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OTHER_AGENT_KEY = "billing-bot-key-0123456789";
    private static final String IBAN = "GB29NWBK60161331926819";

    private final MutableClock clock = MutableClock.startingNow();
    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.builder("http://127.0.0.1:9/v1").clock(clock).keys("""
                keys:
                  - { name: support-bot, key: %s, role: agent }
                  - { name: billing-bot, key: %s, role: agent }
                  - { name: ops, key: %s, role: admin }
                  - { name: other-ops, key: %s, role: admin, workspace: other }
                """.formatted(TestGateway.AGENT_KEY, OTHER_AGENT_KEY, TestGateway.ADMIN_KEY, TestGateway.OTHER_WORKSPACE_ADMIN_KEY))
                .start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private JsonNode transfer(String key, int amount, String to) throws IOException {
        String body = "{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":%d,\"to\":\"%s\",\"memo\":\"invoice\"}}"
                .formatted(amount, to);
        try (Response response = gateway.post("/api/intercept", key, body)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private JsonNode transfer(int amount) throws IOException {
        return transfer(TestGateway.AGENT_KEY, amount, IBAN);
    }

    private Answer decide(String approvalId, String body) throws IOException {
        try (Response response = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY, body)) {
            return new Answer(response.code(), JSON.readTree(response.body().string()));
        }
    }

    private record Answer(int status, JsonNode body) {
    }

    /** Holds a transfer of 5000 and approves it with {@code standing}; returns the grant. */
    private JsonNode granted(String standing) throws IOException {
        return granted(5000, standing);
    }

    private JsonNode granted(int amount, String standing) throws IOException {
        JsonNode held = transfer(amount);
        assertThat(held.path("status").asText()).isEqualTo("pending_approval");
        Answer answer = decide(held.path("approval_id").asText(), "{\"action\":\"approved\",\"standing\":" + standing + "}");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().path("status").asText()).isEqualTo("approved");
        return answer.body().path("standing_approval");
    }

    private List<AuditEvent> audit() {
        List<AuditEvent> events = new ArrayList<>(gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events());
        Collections.reverse(events);
        return events;
    }

    private JsonNode listed(String query) throws IOException {
        try (Response response = gateway.get("/api/standing-approvals" + query, TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            return JSON.readTree(response.body().string()).path("standing_approvals");
        }
    }

    @Test
    void allowsCallsWithinTheBoundsWhileItStands() throws Exception {
        JsonNode grant = granted("{\"minutes\":30,\"calls\":5,\"bounds\":{\"amount\":{\"max\":8000}},\"note\":\"month end\"}");
        String rule = "standing:" + grant.path("id").asText();
        assertThat(grant.path("rule").asText()).isEqualTo(rule);
        assertThat(grant.path("status").asText()).isEqualTo("active");
        assertThat(grant.path("agent").asText()).isEqualTo("support-bot");
        assertThat(grant.path("tool").asText()).isEqualTo("wire_transfer");
        assertThat(grant.path("max_calls").asInt()).isEqualTo(5);
        assertThat(grant.path("bounds")).isEqualTo(JSON.readTree("{\"amount\":{\"max\":8000}}"));

        JsonNode allowed = transfer(7999);

        assertThat(allowed.path("allowed").asBoolean()).isTrue();
        assertThat(allowed.path("status").asText()).isEqualTo("allowed");
        AuditEvent released = audit().get(audit().size() - 1);
        assertThat(released.decision()).isEqualTo("allowed");
        assertThat(released.reasons()).anySatisfy(reason -> assertThat(reason).startsWith(rule + ": allowed by standing approval"));
        assertThat(released.decidedBy()).isEqualTo("api:ops");
        assertThat(audit()).extracting(AuditEvent::decision).containsSubsequence("pending", "approved", "standing_granted", "allowed");
        assertThat(listed("").get(0).path("used_calls").asInt()).isEqualTo(1);
        // No person was asked: the only approval is the one the grant was made with.
        assertThat(gateway.gateway().storage().approvals().list("default", null, 10, 1)).hasSize(1);
    }

    @Test
    void refusesCallsOutsideItsBoundsAgentOrTool() throws Exception {
        granted("{\"minutes\":30,\"bounds\":{\"amount\":{\"min\":2000,\"max\":8000}}}");

        assertThat(transfer(9000).path("status").asText()).as("over max").isEqualTo("pending_approval");
        assertThat(transfer(1500).path("status").asText()).as("under min is not held by the rule at all")
                .isEqualTo("pending_approval");
        assertThat(transfer(TestGateway.AGENT_KEY, 3000, "DE89370400440532013000").path("status").asText())
                .as("an argument the bounds do not name keeps its approved value").isEqualTo("pending_approval");
        assertThat(transfer(OTHER_AGENT_KEY, 3000, IBAN).path("status").asText()).as("another agent").isEqualTo("pending_approval");
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":3000,\"to\":\"" + IBAN + "\",\"memo\":\"invoice\",\"fee\":1}}")) {
            assertThat(JSON.readTree(response.body().string()).path("status").asText()).as("an added argument")
                    .isEqualTo("pending_approval");
        }
        assertThat(transfer(3000).path("status").asText()).as("within the bounds").isEqualTo("allowed");
    }

    @Test
    void withoutBoundsItAllowsOnlyTheSameArguments() throws Exception {
        granted("{\"minutes\":10}");

        assertThat(transfer(5001).path("status").asText()).isEqualTo("pending_approval");
        // The approved call itself is released once on its approval, as always; after that the grant answers.
        assertThat(transfer(5000).path("status").asText()).isEqualTo("allowed");
        assertThat(transfer(5000).path("status").asText()).isEqualTo("allowed");
        AuditEvent released = audit().get(audit().size() - 1);
        assertThat(released.reasons()).anySatisfy(reason -> assertThat(reason).startsWith("standing:"));
    }

    @Test
    void expiresByTimeAndByCalls() throws Exception {
        JsonNode grant = granted("{\"minutes\":30,\"calls\":2,\"bounds\":{\"amount\":{\"max\":8000}}}");
        assertThat(transfer(3000).path("status").asText()).isEqualTo("allowed");
        assertThat(transfer(4000).path("status").asText()).isEqualTo("allowed");
        assertThat(transfer(4500).path("status").asText()).as("both calls used").isEqualTo("pending_approval");
        assertThat(listed("?status=all").get(0).path("status").asText()).isEqualTo("used_up");

        JsonNode timed = granted(5100, "{\"minutes\":30,\"bounds\":{\"amount\":{\"max\":8000}}}");
        assertThat(transfer(3100).path("status").asText()).isEqualTo("allowed");
        clock.advance(Duration.ofMinutes(31));
        assertThat(transfer(3200).path("status").asText()).as("expired").isEqualTo("pending_approval");

        gateway.gateway().approvals().expireDue();
        assertThat(audit()).filteredOn(event -> event.decision().equals("standing_expired"))
                .extracting(event -> event.rules().get(0))
                .containsExactlyInAnyOrder("standing:" + grant.path("id").asText(), "standing:" + timed.path("id").asText());
        assertThat(listed("")).isEmpty();
        gateway.gateway().approvals().expireDue();
        assertThat(audit()).filteredOn(event -> event.decision().equals("standing_expired")).as("audited once").hasSize(2);
    }

    @Test
    void revokedItAllowsNothingMore() throws Exception {
        JsonNode grant = granted("{\"minutes\":60,\"bounds\":{\"amount\":{\"max\":8000}}}");
        String id = grant.path("id").asText();
        assertThat(transfer(3000).path("status").asText()).isEqualTo("allowed");

        try (Response other = gateway.delete("/api/standing-approvals/" + id, TestGateway.OTHER_WORKSPACE_ADMIN_KEY)) {
            assertThat(other.code()).as("another workspace's admin").isEqualTo(404);
        }
        try (Response revoked = gateway.delete("/api/standing-approvals/" + id, TestGateway.ADMIN_KEY)) {
            JsonNode body = JSON.readTree(revoked.body().string());
            assertThat(revoked.code()).isEqualTo(200);
            assertThat(body.path("status").asText()).isEqualTo("revoked");
            assertThat(body.path("revoked_by").asText()).isEqualTo("api:ops");
        }
        assertThat(transfer(3000).path("status").asText()).isEqualTo("pending_approval");
        try (Response again = gateway.delete("/api/standing-approvals/" + id, TestGateway.ADMIN_KEY)) {
            assertThat(again.code()).isEqualTo(409);
        }
        assertThat(listed("")).isEmpty();
        assertThat(listed("?status=all")).singleElement().satisfies(listedGrant ->
                assertThat(listedGrant.path("used_calls").asInt()).isEqualTo(1));
        assertThat(audit()).filteredOn(event -> event.decision().equals("standing_revoked")).singleElement()
                .satisfies(event -> assertThat(event.reasons().get(0)).contains("revoked by api:ops"));
        try (Response agent = gateway.get("/api/standing-approvals", TestGateway.AGENT_KEY)) {
            assertThat(agent.code()).as("admins only").isEqualTo(403);
        }
    }

    @Test
    void invalidStandingRequestsAre400AndDecideNothing() throws Exception {
        String approvalId = transfer(5000).path("approval_id").asText();
        for (String[] bad : new String[][] {
                {"{\"minutes\":0}", "standing.minutes: 0 (expected: a whole number of minutes from 1 to 10080)"},
                {"{\"minutes\":10,\"calls\":-1}", "standing.calls: -1"},
                {"{\"minutes\":10,\"bounds\":{\"iban\":{\"equals\":\"x\"}}}", "standing.bounds.iban: the approved call has no argument 'iban'"},
                {"{\"minutes\":10,\"bounds\":{\"amount\":{\"min\":9,\"max\":1}}}", "standing.bounds.amount: min 9 is above max 1"},
                {"{\"minutes\":10,\"bounds\":{\"amount\":{\"max\":\"lots\"}}}", "standing.bounds.amount.max: \"lots\" (expected: a number)"},
                {"{\"minutes\":10,\"bounds\":{\"to\":{\"regex\":\".*\"}}}", "standing.bounds.to.regex: unknown"}}) {
            Answer answer = decide(approvalId, "{\"action\":\"approved\",\"standing\":" + bad[0] + "}");
            assertThat(answer.status()).as(bad[0]).isEqualTo(400);
            assertThat(answer.body().path("error").path("message").asText()).as(bad[0]).startsWith(bad[1]);
        }
        Answer denied = decide(approvalId, "{\"action\":\"denied\",\"standing\":{\"minutes\":10}}");
        assertThat(denied.status()).isEqualTo(400);
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId).orElseThrow().status().value())
                .isEqualTo("pending");
        assertThat(listed("?status=all")).isEmpty();
    }

    @Test
    void theConfirmPageOffersAStandingApproval() throws Exception {
        String approvalId = transfer(5000).path("approval_id").asText();
        String link = approveLink(approvalId);

        try (Response page = gateway.http().newCall(new Request.Builder().url(link).get().build()).execute()) {
            String html = page.body().string();
            assertThat(html).contains("name=\"standing_minutes\"", "name=\"standing_calls\"", "name=\"standing_bounds\"");
            assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'");
        }
        try (Response bad = press(link, "15", "", "{\"amount\":{\"max\":\"x\"}}")) {
            assertThat(bad.code()).isEqualTo(400);
            assertThat(bad.body().string()).contains("Nothing was decided");
        }
        try (Response pressed = press(link, "15", "3", "{\"amount\":{\"max\":6000}}")) {
            assertThat(pressed.code()).isEqualTo(200);
            assertThat(pressed.body().string()).contains("Approved", "The same tool is also allowed for support-bot");
        }
        JsonNode grant = listed("").get(0);
        assertThat(grant.path("created_by").asText()).isEqualTo("slack link");
        assertThat(grant.path("max_calls").asInt()).isEqualTo(3);
        assertThat(transfer(5999).path("status").asText()).isEqualTo("allowed");
    }

    private Response press(String link, String minutes, String calls, String bounds) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(link).post(new FormBody.Builder()
                .add("standing_minutes", minutes).add("standing_calls", calls).add("standing_bounds", bounds).build()).build()).execute();
    }

    /** An approve link for the held call, issued as the gateway issues the one it posts to Slack. */
    private String approveLink(String approvalId) {
        String token = LinkTokens.newToken();
        gateway.gateway().storage().approvals().addToken(approvalId, LinkTokens.hash(token), "approve", "slack",
                clock.instant().plus(Duration.ofHours(1)));
        return gateway.baseUrl() + "/api/approve/" + token;
    }
}
