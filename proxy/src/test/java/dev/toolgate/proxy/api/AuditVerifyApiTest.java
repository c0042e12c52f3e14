package dev.toolgate.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/audit/verify} as an auditor sees it: decisions made through the gateway, rows then
 * changed behind its back in the database, and the answer naming the event where the chain breaks.
 */
class AuditVerifyApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";

    /** A named in-memory database, so the test can reach the gateway's tables over JDBC. */
    private final String storageUrl = "jdbc:h2:mem:audit-verify-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.builder(NO_UPSTREAM).storage(storageUrl).start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    /** Asks /api/intercept for a decision; returns the answer, whose decision_id is the audit event id. */
    private JsonNode intercept(String tool, String argumentsJson) throws IOException {
        String body = "{\"tool_name\":" + JSON.writeValueAsString(tool) + ",\"arguments\":" + argumentsJson + "}";
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(response.code()).as(answer.toString()).isEqualTo(200);
            return answer;
        }
    }

    /**
     * Allowed, warned, blocked, a held transfer, its approval by the ops key and the released call:
     * six events, oldest first. Returns their event ids in the order they were stored.
     */
    private List<String> decideCallsIncludingAnApproval() throws IOException, SQLException {
        intercept("read_file", "{\"path\":\"/srv/a.txt\"}");
        intercept("read_file", "{\"path\":\"/app/.env\"}");
        intercept("delete_file", "{\"path\":\"/srv/a.txt\"}");
        String approvalId = intercept("wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}").path("approval_id").asText();
        try (Response response = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\",\"note\":\"invoice 7\"}")) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(intercept("wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}").path("status").asText()).isEqualTo("allowed");
        List<String> stored = storedEventIds("default");
        assertThat(stored).hasSize(6);
        return stored;
    }

    private JsonNode verify(String key) throws IOException {
        try (Response response = gateway.get("/api/audit/verify", key)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    @Test
    void anUntouchedAuditLogVerifies() throws Exception {
        assertThat(verify(TestGateway.ADMIN_KEY)).isEqualTo(JSON.readTree("{\"valid\":true,\"events\":0}"));

        decideCallsIncludingAnApproval();

        assertThat(verify(TestGateway.ADMIN_KEY)).isEqualTo(JSON.readTree("{\"valid\":true,\"events\":6}"));
    }

    @Test
    void changingWhoApprovedACallIsReportedAtTheApprovalEvent() throws Exception {
        List<String> ids = decideCallsIncludingAnApproval();
        String approvalEvent = eventIdWhere("source = 'approval'");
        assertThat(column(approvalEvent, "decided_by")).isEqualTo("api:ops");

        execute("UPDATE audit_events SET decided_by = 'api:someone-else' WHERE event_id = ?", approvalEvent);

        JsonNode answer = verify(TestGateway.ADMIN_KEY);
        assertThat(answer.path("valid").asBoolean()).isFalse();
        assertThat(answer.path("first_broken_event").asText()).isEqualTo(approvalEvent);
        assertThat(answer.path("events").asLong()).isEqualTo(ids.indexOf(approvalEvent));
        assertThat(answer.path("reason").asText()).contains("modified");
    }

    @Test
    void editedArgumentsAreReportedAtThatEvent() throws Exception {
        List<String> ids = decideCallsIncludingAnApproval();

        execute("UPDATE audit_events SET arguments = '{\"path\":\"/srv/b.txt\"}' WHERE event_id = ?", ids.get(2));

        JsonNode answer = verify(TestGateway.ADMIN_KEY);
        assertThat(answer.path("valid").asBoolean()).isFalse();
        assertThat(answer.path("first_broken_event").asText()).isEqualTo(ids.get(2));
        assertThat(answer.path("events").asLong()).isEqualTo(2);
    }

    @Test
    void aDeletedEventIsReportedAtTheEventAfterIt() throws Exception {
        List<String> ids = decideCallsIncludingAnApproval();

        execute("DELETE FROM audit_events WHERE event_id = ?", ids.get(2));

        JsonNode answer = verify(TestGateway.ADMIN_KEY);
        assertThat(answer.path("valid").asBoolean()).isFalse();
        assertThat(answer.path("first_broken_event").asText()).isEqualTo(ids.get(3));
        assertThat(answer.path("events").asLong()).isEqualTo(2);
        assertThat(answer.path("reason").asText()).contains("deleted");
    }

    @Test
    void reorderedEventsAreReportedAtTheFirstOneOutOfPlace() throws Exception {
        List<String> ids = decideCallsIncludingAnApproval();

        // Give the second and third events each other's ids, so they list in the other order.
        long second = id(ids.get(1));
        long third = id(ids.get(2));
        execute("UPDATE audit_events SET id = -1 WHERE id = ?", second);
        execute("UPDATE audit_events SET id = ? WHERE id = ?", second, third);
        execute("UPDATE audit_events SET id = ? WHERE id = -1", third);

        JsonNode answer = verify(TestGateway.ADMIN_KEY);
        assertThat(answer.path("valid").asBoolean()).isFalse();
        assertThat(answer.path("first_broken_event").asText()).isEqualTo(ids.get(2));
        assertThat(answer.path("events").asLong()).isEqualTo(1);
        assertThat(answer.path("reason").asText()).contains("reordered");
    }

    @Test
    void anAdminSeesOnlyTheirOwnWorkspacesChain() throws Exception {
        decideCallsIncludingAnApproval();
        List<AuditEvent> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(new AuditEvent(0, UUID.randomUUID().toString(), Instant.now(), "other", "billing-bot", "intercept",
                    "read_file", null, "{}", "allowed", List.of(), List.of(), 0, null, "v1", null, null, 10, null));
        }
        gateway.gateway().storage().auditLog().append(others).join();

        execute("UPDATE audit_events SET tool = 'delete_file' WHERE event_id = ?", others.get(1).eventId());

        assertThat(verify(TestGateway.ADMIN_KEY)).isEqualTo(JSON.readTree("{\"valid\":true,\"events\":6}"));
        JsonNode other = verify(TestGateway.OTHER_WORKSPACE_ADMIN_KEY);
        assertThat(other.path("valid").asBoolean()).isFalse();
        assertThat(other.path("first_broken_event").asText()).isEqualTo(others.get(1).eventId());
        assertThat(other.path("events").asLong()).isEqualTo(1);
    }

    @Test
    void agentKeyIsForbidden() throws IOException {
        try (Response response = gateway.get("/api/audit/verify", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("FORBIDDEN");
        }
    }

    @Test
    void noKeyIsUnauthorized() throws IOException {
        try (Response response = gateway.get("/api/audit/verify", null)) {
            assertThat(response.code()).isEqualTo(401);
        }
    }

    // ---- the database, reached directly as someone tampering with it would ----

    /** As the gateway connects: toolgate.yaml's storage user defaults to "sa". */
    private Connection connect() throws SQLException {
        return DriverManager.getConnection(storageUrl, "sa", "");
    }

    private void execute(String sql, Object... parameters) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            assertThat(statement.executeUpdate()).as(sql).isEqualTo(1);
        }
    }

    private List<String> storedEventIds(String workspace) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT event_id FROM audit_events WHERE workspace = ? ORDER BY id")) {
            select.setString(1, workspace);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    private String eventIdWhere(String condition) throws SQLException {
        try (Connection connection = connect();
             ResultSet rs = connection.createStatement().executeQuery("SELECT event_id FROM audit_events WHERE " + condition)) {
            assertThat(rs.next()).as(condition).isTrue();
            return rs.getString(1);
        }
    }

    private long id(String eventId) throws SQLException {
        return Long.parseLong(column(eventId, "id"));
    }

    private String column(String eventId, String column) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement("SELECT " + column + " FROM audit_events WHERE event_id = ?")) {
            select.setString(1, eventId);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).as("event %s is stored", eventId).isTrue();
                return rs.getString(1);
            }
        }
    }
}
