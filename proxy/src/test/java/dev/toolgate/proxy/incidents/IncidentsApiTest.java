package dev.toolgate.proxy.incidents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Incidents as an operator sees them after calls through the real gateway: which calls open or join
 * an incident, the timeline, the list's filters, pages and order, resolving, notes, and isolation.
 */
class IncidentsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing here goes upstream; the address is never dialled. */
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void blockedHeldAndHaltedCallsOfOneAgentMakeOneIncidentWithTheirTimeline() throws Exception {
        String allowed = decide("{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}", "allowed");
        String firstBlock = decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}", "blocked");
        clock.advance(Duration.ofMinutes(1));
        String secondBlock = decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/b.txt\"}}", "blocked");

        JsonNode incident = awaitOnlyIncident(found -> found.path("signal_count").asInt() == 2);
        assertThat(incident.path("status").asText()).isEqualTo("open");
        assertThat(incident.path("severity").asText()).isEqualTo("high");
        assertThat(incident.path("agent").asText()).isEqualTo("support-bot");
        assertThat(incident.path("opened_at").asText()).isEqualTo(START.toString());
        JsonNode detail = detail(incident.path("id").asText());
        assertThat(detail.path("timeline")).hasSize(2);
        assertThat(auditEventIds(detail)).containsExactly(firstBlock, secondBlock).doesNotContain(allowed);
        JsonNode first = detail.path("timeline").get(0);
        assertThat(first.path("kind").asText()).isEqualTo("decision");
        assertThat(first.path("summary").asText()).isEqualTo("blocked delete_file (no-deletes)");
        assertThat(first.path("audit_event").path("tool").asText()).isEqualTo("delete_file");
        assertThat(first.path("audit_event").path("arguments").path("path").asText()).isEqualTo("/srv/a.txt");

        clock.advance(Duration.ofMinutes(5));
        String held = decide("{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":5000}}", "pending_approval");
        awaitOnlyIncident(found -> found.path("signal_count").asInt() == 3);
        clock.advance(Duration.ofMinutes(5));
        try (Response halted = gateway.post("/api/agents/support-bot/halt", TestGateway.ADMIN_KEY, "{\"reason\":\"deleting files\"}")) {
            assertThat(halted.code()).as(halted.body().string()).isEqualTo(200);
        }

        incident = awaitOnlyIncident(found -> found.path("signal_count").asInt() == 4);
        detail = detail(incident.path("id").asText());
        assertThat(detail.path("timeline")).extracting(line -> line.path("kind").asText())
                .containsExactly("decision", "decision", "decision", "breaker");
        assertThat(auditEventIds(detail)).containsExactly(firstBlock, secondBlock, held);
        JsonNode hold = detail.path("timeline").get(2);
        assertThat(hold.path("summary").asText()).isEqualTo("held wire_transfer for approval (big-transfers)");
        assertThat(hold.path("severity").asText()).isEqualTo("medium");
        assertThat(hold.path("audit_event").path("status").asText()).isEqualTo("pending");
        JsonNode breaker = detail.path("timeline").get(3);
        assertThat(breaker.path("summary").asText()).isEqualTo("breaker monitoring -> halt by api:ops: deleting files");
        assertThat(breaker.path("at").asText()).isEqualTo(START.plus(Duration.ofMinutes(11)).toString());
        assertThat(detail.path("last_signal_at").asText()).isEqualTo(START.plus(Duration.ofMinutes(11)).toString());
    }

    @Test
    void aSignalAfterTheGroupingWindowOrAfterResolvingOpensANewIncident() throws Exception {
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}", "blocked");
        String firstId = awaitIncidents("", 1).get(0).path("id").asText();

        clock.advance(Incidents.WINDOW.plusMinutes(1));
        try (Response halted = gateway.post("/api/agents/support-bot/halt", TestGateway.ADMIN_KEY, "{}")) {
            assertThat(halted.code()).isEqualTo(200);
        }
        List<JsonNode> two = awaitIncidents("", 2);
        JsonNode newest = two.get(0);
        assertThat(newest.path("id").asText()).isNotEqualTo(firstId);
        assertThat(newest.path("title").asText()).isEqualTo("agent 'support-bot': breaker monitoring -> halt by api:ops");
        assertThat(detail(firstId).path("timeline")).hasSize(1);

        assertThat(patch(newest.path("id").asText(), "{\"status\":\"resolved\"}").code()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        decide("{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":5000}}", "pending_approval");
        assertThat(awaitIncidents("?status=open", 2)).extracting(found -> found.path("severity").asText())
                .containsExactly("medium", "high");
    }

    @Test
    void resolvingRecordsWhoAndWhenAndReopeningClearsIt() throws Exception {
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}", "blocked");
        String id = awaitIncidents("", 1).get(0).path("id").asText();
        clock.advance(Duration.ofMinutes(3));

        JsonNode resolved;
        try (Response response = patch(id, "{\"status\":\"resolved\"}")) {
            assertThat(response.code()).isEqualTo(200);
            resolved = JSON.readTree(response.body().string());
        }
        assertThat(resolved.path("status").asText()).isEqualTo("resolved");
        assertThat(resolved.path("resolved_by").asText()).isEqualTo("api:ops");
        assertThat(resolved.path("resolved_at").asText()).isEqualTo(START.plus(Duration.ofMinutes(3)).toString());
        JsonNode last = resolved.path("timeline").get(1);
        assertThat(last.path("kind").asText()).isEqualTo("resolved");
        assertThat(last.path("author").asText()).isEqualTo("api:ops");

        try (Response note = gateway.post("/api/incidents/" + id + "/notes", TestGateway.ADMIN_KEY,
                "{\"text\":\"agent retried a cleanup script; script fixed\"}")) {
            assertThat(note.code()).isEqualTo(201);
            JsonNode withNote = JSON.readTree(note.body().string());
            JsonNode line = withNote.path("timeline").get(2);
            assertThat(line.path("kind").asText()).isEqualTo("note");
            assertThat(line.path("summary").asText()).isEqualTo("agent retried a cleanup script; script fixed");
            assertThat(line.path("author").asText()).isEqualTo("api:ops");
        }

        try (Response reopened = patch(id, "{\"status\":\"open\"}")) {
            JsonNode body = JSON.readTree(reopened.body().string());
            assertThat(body.path("status").asText()).isEqualTo("open");
            assertThat(body.path("resolved_at").isNull()).isTrue();
            assertThat(body.path("timeline").get(3).path("kind").asText()).isEqualTo("reopened");
        }
        try (Response bad = patch(id, "{\"status\":\"closed\"}")) {
            assertThat(bad.code()).isEqualTo(422);
            assertThat(JSON.readTree(bad.body().string()).path("error").path("code").asText()).isEqualTo("VALIDATION_FAILED");
        }
        try (Response empty = gateway.post("/api/incidents/" + id + "/notes", TestGateway.ADMIN_KEY, "{\"text\":\" \"}")) {
            assertThat(empty.code()).isEqualTo(400);
        }
    }

    @Test
    void anotherWorkspacesAdminSeesNoIncident() throws Exception {
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}", "blocked");
        String id = awaitIncidents("", 1).get(0).path("id").asText();
        String other = TestGateway.OTHER_WORKSPACE_ADMIN_KEY;

        try (Response list = gateway.get("/api/incidents", other)) {
            assertThat(JSON.readTree(list.body().string()).path("incidents")).isEmpty();
        }
        try (Response get = gateway.get("/api/incidents/" + id, other)) {
            assertThat(get.code()).isEqualTo(404);
            assertThat(JSON.readTree(get.body().string()).path("error").path("code").asText()).isEqualTo("NOT_FOUND");
        }
        try (Response patch = send("PATCH", "/api/incidents/" + id, other, "{\"status\":\"resolved\"}")) {
            assertThat(patch.code()).isEqualTo(404);
        }
        try (Response note = gateway.post("/api/incidents/" + id + "/notes", other, "{\"text\":\"mine now\"}")) {
            assertThat(note.code()).isEqualTo(404);
        }
        JsonNode untouched = detail(id);
        assertThat(untouched.path("status").asText()).isEqualTo("open");
        assertThat(untouched.path("timeline")).hasSize(1);
        try (Response agent = gateway.get("/api/incidents", TestGateway.AGENT_KEY)) {
            assertThat(agent.code()).isEqualTo(403);
        }
    }

    @Test
    void listFiltersPagesWithLinkHeadersAndSorts() throws Exception {
        // Five incidents, each opened a window apart; the third is a held call (medium), the others blocks (high).
        List<String> opened = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            decide(i == 2 ? "{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":5000}}"
                    : "{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/" + i + "\"}}", i == 2 ? "pending_approval" : "blocked");
            opened.add(awaitIncidents("", i + 1).get(0).path("id").asText());
            clock.advance(Incidents.WINDOW.plusMinutes(1));
        }

        try (Response page1 = gateway.get("/api/incidents?limit=2", TestGateway.ADMIN_KEY)) {
            JsonNode body = JSON.readTree(page1.body().string());
            assertThat(ids(body)).containsExactly(opened.get(4), opened.get(3));
            assertThat(body.path("total").asInt()).isEqualTo(5);
            assertThat(page1.header("X-Total-Count")).isEqualTo("5");
            assertThat(page1.header("Link")).isEqualTo("</api/incidents?limit=2&page=1>; rel=\"first\", "
                    + "</api/incidents?limit=2&page=2>; rel=\"next\", </api/incidents?limit=2&page=3>; rel=\"last\"");
        }
        try (Response page2 = gateway.get("/api/incidents?limit=2&page=2", TestGateway.ADMIN_KEY)) {
            assertThat(ids(JSON.readTree(page2.body().string()))).containsExactly(opened.get(2), opened.get(1));
            assertThat(page2.header("Link")).contains("</api/incidents?limit=2&page=1>; rel=\"prev\"")
                    .contains("</api/incidents?limit=2&page=3>; rel=\"next\"");
        }
        try (Response page3 = gateway.get("/api/incidents?limit=2&page=3", TestGateway.ADMIN_KEY)) {
            assertThat(ids(JSON.readTree(page3.body().string()))).containsExactly(opened.get(0));
            assertThat(page3.header("Link")).contains("rel=\"prev\"").doesNotContain("rel=\"next\"");
        }

        assertThat(ids(list("?sort=opened_at"))).containsExactlyElementsOf(opened);
        assertThat(ids(list("?sort=opened_at:desc"))).containsExactly(opened.get(4), opened.get(3), opened.get(2), opened.get(1),
                opened.get(0));
        assertThat(ids(list("?sort=severity:asc")).get(0)).isEqualTo(opened.get(2));
        assertThat(ids(list("?severity=medium"))).containsExactly(opened.get(2));
        assertThat(ids(list("?agent=someone-else"))).isEmpty();
        Instant second = START.plus(Incidents.WINDOW.plusMinutes(1));
        assertThat(ids(list("?since=" + second + "&until=" + second.plus(Incidents.WINDOW.plusMinutes(1)))))
                .containsExactly(opened.get(1));
        patch(opened.get(0), "{\"status\":\"resolved\"}").close();
        assertThat(ids(list("?status=resolved"))).containsExactly(opened.get(0));
        assertThat(ids(list("?status=open&sort=opened_at&limit=1"))).containsExactly(opened.get(1));

        try (Response bad = gateway.get("/api/incidents?sort=title", TestGateway.ADMIN_KEY)) {
            assertThat(bad.code()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body().string()).path("error").path("message").asText()).contains("sort=title");
        }
        try (Response bad = gateway.get("/api/incidents?limit=101", TestGateway.ADMIN_KEY)) {
            assertThat(bad.code()).isEqualTo(400);
        }
    }

    @Test
    void anApproversAnswerJoinsTheOpenIncidentButOpensNone() throws Exception {
        String held = approvalOf("{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":5000}}");
        String first = awaitOnlyIncident(found -> found.path("signal_count").asInt() == 1).path("id").asText();
        deny(held);
        JsonNode joined = awaitOnlyIncident(found -> found.path("signal_count").asInt() == 2);
        assertThat(detail(first).path("timeline").get(1).path("summary").asText()).isEqualTo("denied wire_transfer by api:ops");
        assertThat(joined.path("severity").asText()).isEqualTo("medium");

        String heldAgain = approvalOf("{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":7000}}");
        awaitOnlyIncident(found -> found.path("signal_count").asInt() == 3);
        patch(first, "{\"status\":\"resolved\"}").close();
        clock.advance(Duration.ofMinutes(1));
        deny(heldAgain);
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}", "blocked");

        List<JsonNode> both = awaitIncidents("", 2);
        assertThat(both.get(0).path("id").asText()).isNotEqualTo(first);
        assertThat(both.get(0).path("signal_count").asInt()).as("the denial opened nothing").isEqualTo(1);
        assertThat(detail(first).path("timeline")).extracting(line -> line.path("kind").asText())
                .containsExactly("decision", "decision", "decision", "resolved");
    }

    private String approvalOf(String body) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("status").asText()).isEqualTo("pending_approval");
            return answer.path("approval_id").asText();
        }
    }

    private void deny(String approval) throws IOException {
        try (Response denied = gateway.post("/api/pending-approvals/" + approval + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"denied\",\"note\":\"no\"}")) {
            assertThat(denied.code()).as(denied.body().string()).isEqualTo(200);
        }
    }

    /** Posts a call to {@code /api/intercept} as the agent and returns its decision id after checking its status. */
    private String decide(String body, String status) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo(status);
            return answer.path("decision_id").asText();
        }
    }

    /** Incidents are recorded off the decision path: waits until the list has {@code count} of them. */
    private List<JsonNode> awaitIncidents(String query, int count) throws Exception {
        return await(query, found -> found.size() == count);
    }

    private JsonNode awaitOnlyIncident(Predicate<JsonNode> condition) throws Exception {
        return await("", found -> found.size() == 1 && condition.test(found.get(0))).get(0);
    }

    private List<JsonNode> await(String query, Predicate<List<JsonNode>> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<JsonNode> found;
        do {
            found = new ArrayList<>();
            list(query).path("incidents").forEach(found::add);
            if (condition.test(found)) {
                return found;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("incidents never matched; last seen: " + found);
    }

    private JsonNode list(String query) throws IOException {
        try (Response response = gateway.get("/api/incidents" + query, TestGateway.ADMIN_KEY)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private JsonNode detail(String id) throws IOException {
        try (Response response = gateway.get("/api/incidents/" + id, TestGateway.ADMIN_KEY)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private Response patch(String id, String body) throws IOException {
        return send("PATCH", "/api/incidents/" + id, TestGateway.ADMIN_KEY, body);
    }

    private Response send(String method, String path, String key, String body) throws IOException {
        return gateway.http().newCall(new Request.Builder()
                .url(gateway.baseUrl() + path)
                .header("x-api-key", key)
                .method(method, RequestBody.create(body, TestGateway.JSON))
                .build()).execute();
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("incidents").forEach(incident -> ids.add(incident.path("id").asText()));
        return ids;
    }

    private static List<String> auditEventIds(JsonNode detail) {
        List<String> ids = new ArrayList<>();
        detail.path("timeline").forEach(line -> {
            if (!line.path("audit_event").isNull()) {
                ids.add(line.path("audit_event").path("id").asText());
            }
        });
        return ids;
    }
}
