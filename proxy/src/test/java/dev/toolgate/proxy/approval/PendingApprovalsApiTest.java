package dev.toolgate.proxy.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/pending-approvals[/:id]} and {@code POST /api/pending-approvals/:id/decide} as an
 * operator's dashboard or script uses them, and what a decision means for the agent's next try
 * through {@code /api/intercept}.
 */
class PendingApprovalsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing here goes upstream; the address is never dialled. */
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String SECRET = "sk-abcdefghijklmnopqrstuvwx";
    private static final String TRANSFER = "{\"to\":\"acme\",\"amount\":2500,\"api_key\":\"" + SECRET + "\"}";

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(NO_UPSTREAM);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private JsonNode intercept(String tool, String arguments) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"" + tool + "\",\"arguments\":" + arguments + "}")) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    /** Asks for a wire transfer the standard rules hold, and returns the approval id. */
    private String hold(String arguments) throws IOException {
        JsonNode answer = intercept("wire_transfer", arguments);
        assertThat(answer.path("status").asText()).isEqualTo("pending_approval");
        String id = answer.path("approval_id").asText();
        assertThat(id).isNotBlank();
        return id;
    }

    private Response decide(String key, String id, String body) throws IOException {
        return gateway.post("/api/pending-approvals/" + id + "/decide", key, body);
    }

    /** Decides as the admin and returns the 200 answer. */
    private JsonNode decided(String id, String body) throws IOException {
        try (Response response = decide(TestGateway.ADMIN_KEY, id, body)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private JsonNode getOk(String path, String key) throws IOException {
        try (Response response = gateway.get(path, key)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("application/json");
            return JSON.readTree(text);
        }
    }

    private JsonNode list(String query) throws IOException {
        return getOk("/api/pending-approvals" + query, TestGateway.ADMIN_KEY).path("approvals");
    }

    private static List<String> ids(JsonNode approvals) {
        return StreamSupport.stream(approvals.spliterator(), false).map(approval -> approval.path("id").asText()).toList();
    }

    private static JsonNode error(Response response) throws IOException {
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode error = JSON.readTree(response.body().string()).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        return error;
    }

    private ApprovalStatus stored(String id) {
        return gateway.gateway().storage().approvals().find("default", id).orElseThrow().status();
    }

    @Test
    void heldCallsAreListedWithTheirRuleAndRedactedArguments() throws IOException {
        String first = hold(TRANSFER);
        String second = hold("{\"to\":\"globex\",\"amount\":9000}");
        intercept("read_file", "{\"path\":\"/srv/a.txt\"}");

        String raw;
        try (Response response = gateway.get("/api/pending-approvals", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            raw = response.body().string();
        }
        assertThat(raw).doesNotContain(SECRET);
        JsonNode approvals = JSON.readTree(raw).path("approvals");
        assertThat(ids(approvals)).containsExactlyInAnyOrder(first, second);

        JsonNode approval = StreamSupport.stream(approvals.spliterator(), false)
                .filter(a -> a.path("id").asText().equals(first)).findFirst().orElseThrow();
        assertThat(approval.path("status").asText()).isEqualTo("pending");
        assertThat(approval.path("tool").asText()).isEqualTo("wire_transfer");
        assertThat(approval.path("agent").asText()).isEqualTo("support-bot");
        assertThat(approval.path("rule").asText()).isEqualTo("big-transfers");
        assertThat(approval.path("rule_text").asText()).isEqualTo("Any wire transfer over 1000 needs approval");
        assertThat(approval.path("approver_email").asText()).isEqualTo("finance@example.com");
        assertThat(approval.path("arguments").path("api_key").asText()).isEqualTo("[REDACTED]");
        assertThat(approval.path("arguments").path("to").asText()).isEqualTo("acme");
        assertThat(approval.path("arguments").path("amount").asInt()).isEqualTo(2500);
        assertThat(approval.path("created_at").asText()).isNotBlank();
        assertThat(approval.path("expires_at").asText()).isNotBlank();
        assertThat(approval.path("decided_by").isNull()).isTrue();
        assertThat(approval.path("note").isNull()).isTrue();
    }

    @Test
    void statusParameterSelectsWhichApprovalsAreListed() throws IOException {
        String approved = hold("{\"to\":\"acme\",\"amount\":2000}");
        String denied = hold("{\"to\":\"acme\",\"amount\":3000}");
        String pending = hold("{\"to\":\"acme\",\"amount\":4000}");
        decided(approved, "{\"action\":\"approved\"}");
        decided(denied, "{\"action\":\"denied\"}");

        assertThat(ids(list(""))).as("pending by default").containsExactly(pending);
        assertThat(ids(list("?status=pending"))).containsExactly(pending);
        assertThat(ids(list("?status=approved"))).containsExactly(approved);
        assertThat(ids(list("?status=denied"))).containsExactly(denied);
        assertThat(ids(list("?status=all"))).containsExactlyInAnyOrder(approved, denied, pending);
    }

    @Test
    void unknownStatusIs400AndSaysWhatIsAccepted() throws IOException {
        try (Response response = gateway.get("/api/pending-approvals?status=maybe", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(400);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("INVALID_PARAMETER");
            assertThat(error.path("message").asText()).contains("status=maybe", "all", "pending", "approved", "denied");
        }
    }

    @Test
    void oneApprovalCanBeReadById() throws IOException {
        String id = hold(TRANSFER);

        JsonNode approval = getOk("/api/pending-approvals/" + id, TestGateway.ADMIN_KEY);

        assertThat(approval.path("id").asText()).isEqualTo(id);
        assertThat(approval.path("status").asText()).isEqualTo("pending");
        assertThat(approval.path("rule").asText()).isEqualTo("big-transfers");
        assertThat(approval.path("arguments").path("api_key").asText()).isEqualTo("[REDACTED]");
        assertThat(approval.toString()).doesNotContain(SECRET);
    }

    @Test
    void approvingRecordsWhoDecidedAndTheirNote() throws IOException {
        String id = hold(TRANSFER);

        JsonNode answer = decided(id, "{\"action\":\"approved\",\"note\":\"ok\"}");

        assertThat(answer.path("id").asText()).isEqualTo(id);
        assertThat(answer.path("status").asText()).isEqualTo("approved");
        assertThat(answer.path("decided_by").asText()).isEqualTo("api:ops");
        assertThat(answer.path("note").asText()).isEqualTo("ok");
        assertThat(answer.path("decided_at").asText()).isNotBlank();
        assertThat(answer.path("arguments").path("api_key").asText()).isEqualTo("[REDACTED]");
        JsonNode reread = getOk("/api/pending-approvals/" + id, TestGateway.ADMIN_KEY);
        assertThat(reread.path("status").asText()).isEqualTo("approved");
        assertThat(reread.path("decided_by").asText()).isEqualTo("api:ops");
        assertThat(reread.path("note").asText()).isEqualTo("ok");
    }

    @Test
    void decidingTwiceIs409AndTheFirstDecisionStands() throws IOException {
        String id = hold(TRANSFER);
        decided(id, "{\"action\":\"approved\",\"note\":\"ok\"}");

        try (Response again = decide(TestGateway.ADMIN_KEY, id, "{\"action\":\"denied\",\"note\":\"changed my mind\"}")) {
            assertThat(again.code()).isEqualTo(409);
            JsonNode error = error(again);
            assertThat(error.path("code").asText()).isEqualTo("ALREADY_DECIDED");
            assertThat(error.path("message").asText()).contains("approved", "api:ops");
        }

        JsonNode approval = getOk("/api/pending-approvals/" + id, TestGateway.ADMIN_KEY);
        assertThat(approval.path("status").asText()).isEqualTo("approved");
        assertThat(approval.path("decided_by").asText()).isEqualTo("api:ops");
        assertThat(approval.path("note").asText()).isEqualTo("ok");
        assertThat(getOk("/api/logs?status=denied", TestGateway.ADMIN_KEY).path("logs")).isEmpty();
    }

    @Test
    void anActionThatIsNeitherApprovedNorDeniedIs422() throws IOException {
        String id = hold(TRANSFER);

        try (Response response = decide(TestGateway.ADMIN_KEY, id, "{\"action\":\"maybe\"}")) {
            assertThat(response.code()).isEqualTo(422);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
            assertThat(error.path("message").asText()).contains("approved", "denied");
        }
        try (Response response = decide(TestGateway.ADMIN_KEY, id, "{\"action\":\"approved\",\"note\":42}")) {
            assertThat(response.code()).isEqualTo(422);
            assertThat(error(response).path("code").asText()).isEqualTo("VALIDATION_FAILED");
        }
        assertThat(stored(id)).isEqualTo(ApprovalStatus.PENDING);
    }

    @Test
    void aMissingActionIs400() throws IOException {
        String id = hold(TRANSFER);

        try (Response response = decide(TestGateway.ADMIN_KEY, id, "{\"note\":\"ok\"}")) {
            assertThat(response.code()).isEqualTo(400);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("MISSING_FIELD");
            assertThat(error.path("message").asText()).contains("action");
        }
        assertThat(stored(id)).isEqualTo(ApprovalStatus.PENDING);
    }

    @Test
    void anUnknownIdIs404() throws IOException {
        String unknown = "9b0c6f1e-0000-4000-8000-000000000000";
        try (Response response = gateway.get("/api/pending-approvals/" + unknown, TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(404);
            assertThat(error(response).path("code").asText()).isEqualTo("NOT_FOUND");
        }
        try (Response response = decide(TestGateway.ADMIN_KEY, unknown, "{\"action\":\"approved\"}")) {
            assertThat(response.code()).isEqualTo(404);
            assertThat(error(response).path("code").asText()).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void anotherWorkspacesAdminCannotSeeOrDecideTheApproval() throws IOException {
        String id = hold(TRANSFER);

        assertThat(getOk("/api/pending-approvals?status=all", TestGateway.OTHER_WORKSPACE_ADMIN_KEY).path("approvals")).isEmpty();
        try (Response response = gateway.get("/api/pending-approvals/" + id, TestGateway.OTHER_WORKSPACE_ADMIN_KEY)) {
            assertThat(response.code()).as("404, not 403: ids do not leak").isEqualTo(404);
            assertThat(error(response).path("code").asText()).isEqualTo("NOT_FOUND");
        }
        try (Response response = decide(TestGateway.OTHER_WORKSPACE_ADMIN_KEY, id, "{\"action\":\"approved\"}")) {
            assertThat(response.code()).isEqualTo(404);
            assertThat(error(response).path("code").asText()).isEqualTo("NOT_FOUND");
        }

        assertThat(stored(id)).isEqualTo(ApprovalStatus.PENDING);
        assertThat(ids(list(""))).containsExactly(id);
    }

    @Test
    void anAgentKeyMayPollItsOwnApprovalButNeitherListNorDecide() throws IOException {
        String id = hold(TRANSFER);

        try (Response response = gateway.get("/api/pending-approvals", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
            error(response);
        }
        try (Response response = decide(TestGateway.AGENT_KEY, id, "{\"action\":\"approved\"}")) {
            assertThat(response.code()).isEqualTo(403);
            error(response);
        }
        assertThat(stored(id)).isEqualTo(ApprovalStatus.PENDING);
        // x-toolgate-approval-url points here: the agent whose call is held may see where it stands.
        JsonNode polled = getOk("/api/pending-approvals/" + id, TestGateway.AGENT_KEY);
        assertThat(polled.path("status").asText()).isEqualTo("pending");
        assertThat(polled.toString()).doesNotContain(SECRET);
    }

    @Test
    void afterApprovalTheSameCallIsAllowedExactlyOnceThenHeldAgain() throws IOException {
        String id = hold(TRANSFER);
        decided(id, "{\"action\":\"approved\",\"note\":\"ok\"}");

        // The same call, arguments in another order: the argument digest is the same.
        JsonNode released = intercept("wire_transfer", "{\"api_key\":\"" + SECRET + "\",\"amount\":2500,\"to\":\"acme\"}");
        assertThat(released.path("allowed").asBoolean()).isTrue();
        assertThat(released.path("status").asText()).isEqualTo("allowed");
        assertThat(released.path("approved_by").asText()).isEqualTo("api:ops");
        assertThat(released.path("approval_id").asText()).isEqualTo(id);
        assertThat(stored(id)).isEqualTo(ApprovalStatus.CONSUMED);

        JsonNode again = intercept("wire_transfer", TRANSFER);
        assertThat(again.path("allowed").asBoolean()).isFalse();
        assertThat(again.path("status").asText()).isEqualTo("pending_approval");
        assertThat(again.path("approval_id").asText()).isNotBlank().isNotEqualTo(id);
        assertThat(again.has("approved_by")).isFalse();
        assertThat(ids(list(""))).containsExactly(again.path("approval_id").asText());
    }

    @Test
    void afterDenialTheSameCallIsBlockedAsDeniedByApprover() throws IOException {
        String id = hold(TRANSFER);
        decided(id, "{\"action\":\"denied\",\"note\":\"not this supplier\"}");

        for (int attempt = 1; attempt <= 2; attempt++) {
            JsonNode answer = intercept("wire_transfer", TRANSFER);
            assertThat(answer.path("allowed").asBoolean()).as("attempt %d", attempt).isFalse();
            assertThat(answer.path("status").asText()).isEqualTo("blocked");
            assertThat(answer.path("reason").asText()).contains("denied by approver").contains("not this supplier");
            assertThat(answer.path("approval_id").asText()).isEqualTo(id);
        }
        assertThat(ids(list("?status=all"))).as("a refused call is not asked for again").containsExactly(id);
    }

    @Test
    void anApprovalPastItsExpiryCannotBeApprovedEvenBeforeTheExpiryPassRuns() throws IOException {
        gateway.close();
        MutableClock clock = MutableClock.startingNow();
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).extra("approvals: { expire_after: 1h }\n").start();
        String id = hold(TRANSFER);

        clock.advance(Duration.ofMinutes(61));

        try (Response response = decide(TestGateway.ADMIN_KEY, id, "{\"action\":\"approved\"}")) {
            assertThat(response.code()).isEqualTo(409);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("ALREADY_DECIDED");
            assertThat(error.path("message").asText()).contains("expired unanswered", "counts as denied");
        }
        assertThat(stored(id)).isIn(ApprovalStatus.PENDING, ApprovalStatus.EXPIRED);
        JsonNode retried = intercept("wire_transfer", TRANSFER);
        assertThat(retried.path("allowed").asBoolean()).isFalse();
        assertThat(retried.path("reason").asText()).contains("expired");
    }

    @Test
    void theDecisionIsInTheAuditLog() throws IOException {
        String approved = hold(TRANSFER);
        String denied = hold("{\"to\":\"globex\",\"amount\":9000}");
        decided(approved, "{\"action\":\"approved\",\"note\":\"ok\"}");
        decided(denied, "{\"action\":\"denied\"}");

        JsonNode approvals = getOk("/api/logs?status=approved", TestGateway.ADMIN_KEY).path("logs");
        assertThat(approvals).hasSize(1);
        JsonNode event = approvals.get(0);
        assertThat(event.path("source").asText()).isEqualTo("approval");
        assertThat(event.path("status").asText()).isEqualTo("approved");
        assertThat(event.path("approval_id").asText()).isEqualTo(approved);
        assertThat(event.path("decided_by").asText()).isEqualTo("api:ops");
        assertThat(event.path("tool").asText()).isEqualTo("wire_transfer");
        assertThat(event.path("agent").asText()).isEqualTo("support-bot");
        assertThat(event.path("rules").get(0).asText()).isEqualTo("big-transfers");
        assertThat(event.path("reasons").get(0).asText()).isEqualTo("approved by api:ops: ok");
        assertThat(event.path("arguments").path("api_key").asText()).isEqualTo("[REDACTED]");

        JsonNode denials = getOk("/api/logs?status=denied", TestGateway.ADMIN_KEY).path("logs");
        assertThat(denials).hasSize(1);
        assertThat(denials.get(0).path("approval_id").asText()).isEqualTo(denied);
        assertThat(denials.get(0).path("decided_by").asText()).isEqualTo("api:ops");
    }
}
