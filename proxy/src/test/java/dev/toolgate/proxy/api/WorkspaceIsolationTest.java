package dev.toolgate.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Workspaces as a tenant boundary: with logs, stats, an approval, a blocked tool, notification
 * settings and an API rule in workspace "default", an admin of workspace "other" sees none of
 * it, cannot change or decide any of it, and gets the same 404 for an id that exists elsewhere as
 * for one that never existed, so ids do not leak. Agent keys cannot use admin endpoints at all.
 */
class WorkspaceIsolationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OTHER = TestGateway.OTHER_WORKSPACE_ADMIN_KEY;
    private static final String UNKNOWN_ID = "9b0c6f1e-0000-4000-8000-000000000000";

    private TestGateway gateway;
    /** What "default" holds. */
    private String approvalId;
    private String ruleId;
    private final List<String> eventIds = new ArrayList<>();

    @BeforeEach
    void fillWorkspaceDefault() throws IOException {
        gateway = TestGateway.start("http://127.0.0.1:9/v1");
        JsonNode blocked = intercept(TestGateway.AGENT_KEY, "delete_file", "{\"path\":\"/srv/customers.csv\"}");
        assertThat(blocked.path("status").asText()).isEqualTo("blocked");
        eventIds.add(blocked.path("decision_id").asText());
        JsonNode held = intercept(TestGateway.AGENT_KEY, "wire_transfer", "{\"to\":\"acme\",\"amount\":2500}");
        approvalId = held.path("approval_id").asText();
        assertThat(approvalId).isNotBlank();
        eventIds.add(held.path("decision_id").asText());
        eventIds.add(intercept(TestGateway.AGENT_KEY, "read_file", "{\"path\":\"README.md\"}").path("decision_id").asText());
        assertThat(send("POST", "/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":\"send_invoice\"}").status()).isEqualTo(201);
        assertThat(send("PUT", "/api/notification-settings", TestGateway.ADMIN_KEY,
                "{\"notify_email\":\"approvers@default.example\"}").status()).isEqualTo(200);
        Answer rule = send("POST", "/api/approval-rules", TestGateway.ADMIN_KEY,
                "{\"rule_text\":\"Refunds over 100 need a person\",\"action\":\"approve\",\"tools\":[\"refund_*\"],"
                        + "\"when\":\"args.amount > 100\"}");
        assertThat(rule.status()).isEqualTo(201);
        ruleId = JSON.readTree(rule.body()).path("id").asText();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void anotherWorkspacesAdminSeesNothingOfIt() throws IOException {
        JsonNode logs = ok("/api/logs?limit=1000", OTHER);
        assertThat(logs.path("logs")).isEmpty();
        assertThat(logs.path("total").asLong()).isZero();
        assertThat(ok("/api/logs?tool=wire_transfer&status=pending", OTHER).path("logs")).isEmpty();
        Answer export = send("GET", "/api/logs/export", OTHER, null);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body().strip().lines()).as("the header row only").hasSize(1);
        JsonNode stats = ok("/api/stats", OTHER);
        assertThat(stats.path("total").asLong()).isZero();
        assertThat(stats.path("blocked").asLong()).isZero();
        assertThat(stats.path("pending").asLong()).isZero();
        assertThat(ok("/api/pending-approvals?status=all", OTHER).path("approvals")).isEmpty();
        assertThat(ok("/api/pending-approvals", OTHER).path("approvals")).isEmpty();
        assertThat(ok("/api/blocked-tools", OTHER).path("blocked_tools")).extracting(t -> t.path("tool_name").asText())
                .as("only the list from toolgate.yaml, which applies everywhere").containsExactly("drop_database");
        assertThat(ok("/api/approval-rules", OTHER).toString()).doesNotContain(ruleId, "refund_");
        assertThat(ok("/api/notification-settings", OTHER).toString()).doesNotContain("approvers@default.example");
        Answer verify = send("GET", "/api/audit/verify", OTHER, null);
        assertThat(verify.body()).doesNotContain(eventIds);

        // What "default" itself sees, for contrast: the data is there.
        assertThat(ok("/api/logs", TestGateway.ADMIN_KEY).path("total").asLong()).isEqualTo(3);
        assertThat(ok("/api/notification-settings", TestGateway.ADMIN_KEY).toString()).contains("approvers@default.example");
    }

    @Test
    void itsSettingsReadAsTheDefaultsFromToolgateYaml() throws IOException {
        try (TestGateway fresh = TestGateway.start("http://127.0.0.1:9/v1")) {
            JsonNode untouched;
            try (Response response = fresh.get("/api/notification-settings", OTHER)) {
                untouched = JSON.readTree(response.body().string());
            }
            assertThat(ok("/api/notification-settings", OTHER)).isEqualTo(untouched);
        }
    }

    @Test
    void anApprovalOfAnotherWorkspaceIs404LikeAnIdThatNeverExisted() throws IOException {
        Answer get = send("GET", "/api/pending-approvals/" + approvalId, OTHER, null);
        Answer getUnknown = send("GET", "/api/pending-approvals/" + UNKNOWN_ID, OTHER, null);
        assertThat(get.status()).as("404, not 403").isEqualTo(404);
        assertThat(get.body().replace(approvalId, UNKNOWN_ID)).isEqualTo(getUnknown.body());

        for (String action : List.of("approved", "denied")) {
            Answer decide = send("POST", "/api/pending-approvals/" + approvalId + "/decide", OTHER, "{\"action\":\"" + action + "\"}");
            Answer decideUnknown = send("POST", "/api/pending-approvals/" + UNKNOWN_ID + "/decide", OTHER,
                    "{\"action\":\"" + action + "\"}");
            assertThat(decide.status()).isEqualTo(404);
            assertThat(decide.body().replace(approvalId, UNKNOWN_ID)).isEqualTo(decideUnknown.body());
        }

        assertThat(gateway.gateway().storage().approvals().find("default", approvalId).orElseThrow().status())
                .isEqualTo(ApprovalStatus.PENDING);
        assertThat(ok("/api/pending-approvals/" + approvalId, TestGateway.ADMIN_KEY).path("status").asText()).isEqualTo("pending");
    }

    @Test
    void itsBlockedToolAndRuleCannotBeDeletedFromAnotherWorkspace() throws IOException {
        Answer unblock = send("DELETE", "/api/blocked-tools/send_invoice", OTHER, null);
        Answer unblockUnknown = send("DELETE", "/api/blocked-tools/never_blocked", OTHER, null);
        assertThat(unblock.status()).isEqualTo(404);
        assertThat(unblock.body().replace("send_invoice", "never_blocked")).isEqualTo(unblockUnknown.body());

        Answer deleteRule = send("DELETE", "/api/approval-rules/" + ruleId, OTHER, null);
        Answer deleteUnknown = send("DELETE", "/api/approval-rules/api-00000000", OTHER, null);
        assertThat(deleteRule.status()).isEqualTo(404);
        assertThat(deleteRule.body().replace(ruleId, "api-00000000")).isEqualTo(deleteUnknown.body());

        // Both still work in "default".
        assertThat(intercept(TestGateway.AGENT_KEY, "send_invoice", "{}").path("status").asText()).isEqualTo("blocked");
        assertThat(intercept(TestGateway.AGENT_KEY, "refund_order", "{\"amount\":500}").path("status").asText())
                .isEqualTo("pending_approval");
    }

    @Test
    void anotherWorkspacesBlockedToolAndRuleDoNotApplyHere() throws IOException {
        assertThat(send("POST", "/api/blocked-tools", OTHER, "{\"tool_name\":\"read_file\"}").status()).isEqualTo(201);
        String rule = "{\"rule_text\":\"Every report needs a person\",\"action\":\"block\",\"tools\":[\"export_report\"]}";
        assertThat(send("POST", "/api/approval-rules", OTHER, rule).status()).isEqualTo(201);

        assertThat(intercept(TestGateway.AGENT_KEY, "read_file", "{\"path\":\"README.md\"}").path("status").asText())
                .as("blocked only in workspace other").isEqualTo("allowed");
        assertThat(intercept(TestGateway.AGENT_KEY, "export_report", "{}").path("status").asText()).isEqualTo("allowed");
        // Admins may call /api/intercept too, in their own workspace: there the block holds.
        assertThat(intercept(OTHER, "read_file", "{\"path\":\"README.md\"}").path("status").asText()).isEqualTo("blocked");
        assertThat(intercept(OTHER, "export_report", "{}").path("status").asText()).isEqualTo("blocked");
        // And "default" does not see them in its lists.
        assertThat(ok("/api/blocked-tools", TestGateway.ADMIN_KEY).toString()).doesNotContain("read_file");
        assertThat(ok("/api/approval-rules", TestGateway.ADMIN_KEY).toString()).doesNotContain("export_report");
        assertThat(ok("/api/logs?tool=export_report", TestGateway.ADMIN_KEY).path("logs")).hasSize(1);
    }

    @Test
    void anIdempotencyKeyIsTheCallersOwn() throws IOException {
        JsonNode mine = interceptOnce(TestGateway.AGENT_KEY, "delete_file", "shared-key-1");
        JsonNode theirs = interceptOnce(OTHER, "read_file", "shared-key-1");

        assertThat(mine.path("tool").asText()).isEqualTo("delete_file");
        assertThat(theirs.path("tool").asText()).as("not the other workspace's remembered answer").isEqualTo("read_file");
        assertThat(theirs.path("decision_id").asText()).isNotEqualTo(mine.path("decision_id").asText());
    }

    private JsonNode interceptOnce(String key, String tool, String idempotencyKey) throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + "/api/intercept").header("x-api-key", key)
                .header("Idempotency-Key", idempotencyKey)
                .post(RequestBody.create("{\"tool_name\":\"" + tool + "\",\"arguments\":{}}", TestGateway.JSON)).build();
        try (Response response = gateway.http().newCall(request).execute()) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(200);
            return JSON.readTree(body);
        }
    }

    /** Every route that needs an admin key: method, path, body. */
    static List<List<String>> adminRoutes() {
        return List.of(
                List.of("GET", "/api/logs", ""),
                List.of("GET", "/api/logs/export", ""),
                List.of("GET", "/api/audit/verify", ""),
                List.of("GET", "/api/stats", ""),
                List.of("GET", "/api/blocked-tools", ""),
                List.of("POST", "/api/blocked-tools", "{\"tool_name\":\"read_file\"}"),
                List.of("DELETE", "/api/blocked-tools/send_invoice", ""),
                List.of("GET", "/api/pending-approvals", ""),
                List.of("POST", "/api/pending-approvals/{approval}/decide", "{\"action\":\"approved\"}"),
                List.of("GET", "/api/notification-settings", ""),
                List.of("PUT", "/api/notification-settings", "{\"notify_email\":\"\"}"),
                List.of("GET", "/api/approval-rules", ""),
                List.of("POST", "/api/approval-rules", "{\"rule_text\":\"No exports\",\"action\":\"block\",\"tools\":[\"export_*\"]}"),
                List.of("DELETE", "/api/approval-rules/{rule}", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adminRoutes")
    void anAgentKeyIsRefusedEveryAdminEndpoint(List<String> route) throws IOException {
        String path = route.get(1).replace("{approval}", approvalId).replace("{rule}", ruleId);
        String body = route.get(2).isEmpty() ? null : route.get(2);

        Answer answer = send(route.get(0), path, TestGateway.AGENT_KEY, body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).at("/error/code").asText()).isEqualTo("FORBIDDEN");

        // Nothing changed, and the route is real: an admin is not refused.
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId).orElseThrow().status())
                .isEqualTo(ApprovalStatus.PENDING);
        assertThat(ok("/api/blocked-tools", TestGateway.ADMIN_KEY).toString()).contains("send_invoice").doesNotContain("read_file");
        assertThat(ok("/api/approval-rules", TestGateway.ADMIN_KEY).toString()).contains(ruleId).doesNotContain("export_*");
        assertThat(ok("/api/notification-settings", TestGateway.ADMIN_KEY).toString()).contains("approvers@default.example");
        assertThat(send(route.get(0), path, TestGateway.ADMIN_KEY, body).status()).isNotIn(403, 404, 405);
    }

    private record Answer(int status, String body) {
    }

    private Answer send(String method, String path, String key, String json) throws IOException {
        RequestBody body = json != null ? RequestBody.create(json, TestGateway.JSON)
                : method.equals("GET") ? null : RequestBody.create(new byte[0]);
        Request request = new Request.Builder().url(gateway.baseUrl() + path).method(method, body).header("x-api-key", key).build();
        try (Response response = gateway.http().newCall(request).execute()) {
            return new Answer(response.code(), response.body().string());
        }
    }

    private JsonNode ok(String path, String key) throws IOException {
        Answer answer = send("GET", path, key, null);
        assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private JsonNode intercept(String key, String tool, String arguments) throws IOException {
        Answer answer = send("POST", "/api/intercept", key, "{\"tool_name\":\"" + tool + "\",\"arguments\":" + arguments + "}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }
}
