package dev.toolgate.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /api/logs}, {@code /api/stats} and {@code /api/logs/export} as an auditor sees them. */
class AuditLogApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final List<String> CSV_COLUMNS = List.of("time", "id", "workspace", "agent", "source", "tool",
            "tool_call_id", "status", "rules", "reasons", "risk_score", "approval_id", "policy_version", "model",
            "upstream_status", "overhead_micros", "decided_by", "arguments");

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(NO_UPSTREAM);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    /** Asks /api/intercept for a decision; returns its decision id (the audit event id). */
    private String intercept(String tool, String argumentsJson) throws IOException {
        String body = "{\"tool_name\":" + JSON.writeValueAsString(tool) + ",\"arguments\":" + argumentsJson + "}";
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(response.code()).as(answer.toString()).isEqualTo(200);
            return answer.path("decision_id").asText();
        }
    }

    /** Six decisions, oldest first: two allowed, one warned, two blocked, one pending. */
    private List<String> produceMixedDecisions() throws IOException {
        List<String> ids = new ArrayList<>();
        ids.add(intercept("read_file", "{\"path\":\"/srv/a.txt\"}"));
        ids.add(intercept("read_file", "{\"path\":\"/app/.env\"}"));
        ids.add(intercept("delete_file", "{\"path\":\"/srv/a.txt\"}"));
        ids.add(intercept("drop_database", "{\"name\":\"prod\"}"));
        ids.add(intercept("wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}"));
        ids.add(intercept("list_files", "{\"dir\":\"/srv\"}"));
        return ids;
    }

    private JsonNode getJson(String pathAndQuery) throws IOException {
        try (Response response = gateway.get(pathAndQuery, TestGateway.ADMIN_KEY)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private static List<String> ids(JsonNode logsPage) {
        List<String> ids = new ArrayList<>();
        logsPage.path("logs").forEach(entry -> ids.add(entry.path("id").asText()));
        return ids;
    }

    private static List<String> newestFirst(List<String> oldestFirst) {
        List<String> reversed = new ArrayList<>(oldestFirst);
        Collections.reverse(reversed);
        return reversed;
    }

    // ---- GET /api/logs ----

    @Test
    void logsListEveryDecisionNewestFirst() throws IOException {
        List<String> produced = produceMixedDecisions();

        JsonNode page = getJson("/api/logs");

        assertThat(ids(page)).containsExactlyElementsOf(newestFirst(produced));
        assertThat(page.path("total").asLong()).isEqualTo(6);
        assertThat(page.path("page").asInt()).isEqualTo(1);
        assertThat(page.path("limit").asInt()).isEqualTo(100);
    }

    @Test
    void logEntryCarriesTheWholeDecision() throws IOException {
        Instant before = Instant.now();
        String decisionId = intercept("delete_file", "{\"path\":\"/srv/a.txt\",\"force\":true}");

        JsonNode entry = getJson("/api/logs").path("logs").get(0);

        assertThat(entry.path("id").asText()).isEqualTo(decisionId);
        assertThat(Instant.parse(entry.path("time").asText())).isBetween(before.minusSeconds(1), Instant.now());
        assertThat(entry.path("workspace").asText()).isEqualTo("default");
        assertThat(entry.path("agent").asText()).isEqualTo("support-bot");
        assertThat(entry.path("source").asText()).isEqualTo("intercept");
        assertThat(entry.path("tool").asText()).isEqualTo("delete_file");
        assertThat(entry.path("status").asText()).isEqualTo("blocked");
        assertThat(entry.path("rules")).extracting(JsonNode::asText).containsExactly("no-deletes");
        assertThat(entry.path("reasons")).extracting(JsonNode::asText).containsExactly("no-deletes: Block all file deletions");
        assertThat(entry.path("arguments").isObject()).isTrue();
        assertThat(entry.path("arguments")).isEqualTo(JSON.readTree("{\"path\":\"/srv/a.txt\",\"force\":true}"));
        assertThat(entry.path("policy_version").asText())
                .isEqualTo(gateway.gateway().storage().auditLog().findByEventId(decisionId).orElseThrow().policyVersion())
                .isNotBlank();
        assertThat(entry.path("upstream_status").isNull()).isTrue();
    }

    @Test
    void argumentsThatWereNeverJsonAreShownAsText() throws IOException {
        intercept("read_file", "\"path=/srv/a.txt\"");

        JsonNode entry = getJson("/api/logs").path("logs").get(0);

        assertThat(entry.path("arguments").isTextual()).isTrue();
        assertThat(entry.path("arguments").asText()).isEqualTo("path=/srv/a.txt");
        assertThat(entry.path("status").asText()).isEqualTo("blocked");
    }

    @Test
    void logsShowArgumentsRedacted() throws IOException {
        intercept("call_api", "{\"token\":\"t-123\",\"header\":\"Bearer abcdefghijklmnop\",\"url\":\"https://example.com\"}");

        JsonNode arguments = getJson("/api/logs").at("/logs/0/arguments");

        assertThat(arguments).isEqualTo(JSON.readTree(
                "{\"token\":\"[REDACTED]\",\"header\":\"[REDACTED:bearer_token]\",\"url\":\"https://example.com\"}"));
    }

    @Test
    void statusFilterKeepsOnlyThatDecision() throws IOException {
        List<String> produced = produceMixedDecisions();

        JsonNode page = getJson("/api/logs?status=blocked");

        assertThat(ids(page)).containsExactly(produced.get(3), produced.get(2));
        assertThat(page.path("total").asLong()).isEqualTo(2);
        assertThat(page.path("logs")).allSatisfy(entry -> assertThat(entry.path("status").asText()).isEqualTo("blocked"));
    }

    @Test
    void toolFilterKeepsOnlyThatTool() throws IOException {
        List<String> produced = produceMixedDecisions();

        JsonNode page = getJson("/api/logs?tool=read_file");

        assertThat(ids(page)).containsExactly(produced.get(1), produced.get(0));
        assertThat(page.path("total").asLong()).isEqualTo(2);
    }

    @Test
    void filtersCombine() throws IOException {
        List<String> produced = produceMixedDecisions();

        assertThat(ids(getJson("/api/logs?tool=read_file&status=warned"))).containsExactly(produced.get(1));
        assertThat(ids(getJson("/api/logs?tool=read_file&status=blocked"))).isEmpty();
    }

    @Test
    void sinceInTheFutureFindsNothing() throws IOException {
        produceMixedDecisions();

        JsonNode page = getJson("/api/logs?since=2999-01-01T00:00:00Z");

        assertThat(page.path("logs")).isEmpty();
        assertThat(page.path("total").asLong()).isZero();
    }

    @Test
    void sinceAsADateInThePastFindsEverything() throws IOException {
        List<String> produced = produceMixedDecisions();

        JsonNode page = getJson("/api/logs?since=2020-01-01");

        assertThat(ids(page)).containsExactlyElementsOf(newestFirst(produced));
    }

    @Test
    void sinceSplitsEventsByTheirTime() throws IOException {
        AuditEvent old = event(UUID.randomUUID().toString(), "allowed", "read_file", "{}", Instant.parse("2026-01-01T10:00:00Z"));
        AuditEvent recent = event(UUID.randomUUID().toString(), "allowed", "read_file", "{}", Instant.parse("2026-01-03T10:00:00Z"));
        gateway.gateway().storage().auditLog().append(List.of(old, recent)).join();

        assertThat(ids(getJson("/api/logs?since=2026-01-02"))).containsExactly(recent.eventId());
        assertThat(ids(getJson("/api/logs?since=2026-01-03T10:00:00Z"))).containsExactly(recent.eventId());
        assertThat(ids(getJson("/api/logs?since=2026-01-01T10:00:00Z"))).containsExactly(recent.eventId(), old.eventId());
    }

    @Test
    void pagesHoldLimitEventsAndReportTheTotal() throws IOException {
        List<String> newest = newestFirst(produceMixedDecisions());

        JsonNode second = getJson("/api/logs?limit=4&page=2");
        JsonNode third = getJson("/api/logs?limit=4&page=3");

        assertThat(ids(getJson("/api/logs?limit=4&page=1"))).containsExactlyElementsOf(newest.subList(0, 4));
        assertThat(ids(second)).containsExactlyElementsOf(newest.subList(4, 6));
        assertThat(second.path("total").asLong()).isEqualTo(6);
        assertThat(second.path("page").asInt()).isEqualTo(2);
        assertThat(second.path("limit").asInt()).isEqualTo(4);
        assertThat(third.path("logs")).isEmpty();
        assertThat(third.path("total").asLong()).isEqualTo(6);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"limit=0", "limit=abc", "limit=1001", "limit=-5", "page=0", "page=x", "status=nope",
            "status=BLOCKED", "since=yesterday", "since=2026-13-01", "since=2026-11-22T08:00"})
    void badListParametersAre400(String parameter) throws IOException {
        for (String path : List.of("/api/logs?", "/api/logs/export?")) {
            try (Response response = gateway.get(path + parameter, TestGateway.ADMIN_KEY)) {
                assertThat(response.code()).as(path + parameter).isEqualTo(400);
                assertThat(response.header("Content-Type")).isEqualTo("application/json");
                JsonNode error = JSON.readTree(response.body().string()).path("error");
                assertThat(error.path("code").asText()).isEqualTo("INVALID_PARAMETER");
                assertThat(error.path("message").asText()).startsWith(parameter).contains("expected");
            }
        }
    }

    @Test
    void badSinceOnStatsIs400() throws IOException {
        try (Response response = gateway.get("/api/stats?since=yesterday", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("INVALID_PARAMETER");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/logs", "/api/stats", "/api/logs/export"})
    void agentKeyIsForbidden(String path) throws IOException {
        try (Response response = gateway.get(path, TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
            JsonNode error = JSON.readTree(response.body().string()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("FORBIDDEN");
            assertThat(error.path("message").asText()).contains("admin");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/logs", "/api/stats", "/api/logs/export"})
    void noKeyIsUnauthorized(String path) throws IOException {
        try (Response response = gateway.get(path, null)) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("MISSING_API_KEY");
        }
    }

    // ---- GET /api/stats ----

    @Test
    void statsCountEveryDecisionByStatus() throws IOException {
        produceMixedDecisions();

        JsonNode stats = getJson("/api/stats");

        assertThat(stats).isEqualTo(JSON.readTree("""
                {"total":6,"allowed":2,"warned":1,"blocked":2,"pending":1,"approved":0,"denied":0,"expired":0}"""));
    }

    @Test
    void statsSinceCountOnlyLaterEvents() throws IOException {
        produceMixedDecisions();

        JsonNode stats = getJson("/api/stats?since=2999-01-01");

        assertThat(stats.path("total").asLong()).isZero();
        assertThat(stats.path("allowed").asLong()).isZero();
        assertThat(stats.path("since").asText()).isEqualTo("2999-01-01T00:00:00Z");
    }

    @Test
    void statsOfAnEmptyLogAreZero() throws IOException {
        assertThat(getJson("/api/stats").path("total").asLong()).isZero();
    }

    // ---- GET /api/logs/export ----

    private Response export(String query) throws IOException {
        return gateway.get("/api/logs/export" + query, TestGateway.ADMIN_KEY);
    }

    /** The export's records, header first, checked to be well-formed RFC 4180. */
    private List<List<String>> exportRows(String query) throws IOException {
        try (Response response = export(query)) {
            assertThat(response.code()).isEqualTo(200);
            return Rfc4180.parse(response.body().string());
        }
    }

    private static List<String> column(List<List<String>> rows, String name) {
        int index = CSV_COLUMNS.indexOf(name);
        return rows.subList(1, rows.size()).stream().map(row -> row.get(index)).toList();
    }

    private static Map<String, String> record(List<List<String>> rows, int n) {
        List<String> row = rows.get(n);
        Map<String, String> record = new LinkedHashMap<>();
        for (int i = 0; i < CSV_COLUMNS.size(); i++) {
            record.put(CSV_COLUMNS.get(i), row.get(i));
        }
        return record;
    }

    @Test
    void exportIsADownloadableCsvAttachment() throws IOException {
        produceMixedDecisions();
        try (Response response = export("")) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("text/csv; charset=utf-8");
            assertThat(response.header("Content-Disposition")).isEqualTo("attachment; filename=\"toolgate-audit.csv\"");
            String body = response.body().string();
            assertThat(body).startsWith(String.join(",", CSV_COLUMNS) + "\r\n").endsWith("\r\n");
        }
    }

    @Test
    void exportHasOneRowPerEventNewestFirst() throws IOException {
        List<String> produced = produceMixedDecisions();

        List<List<String>> rows = exportRows("");

        assertThat(rows.get(0)).containsExactlyElementsOf(CSV_COLUMNS);
        assertThat(rows).hasSize(1 + 6).allSatisfy(row -> assertThat(row).hasSize(CSV_COLUMNS.size()));
        assertThat(column(rows, "id")).containsExactlyElementsOf(newestFirst(produced));
        assertThat(column(rows, "status")).containsExactly("allowed", "pending", "blocked", "blocked", "warned", "allowed");
        Map<String, String> blocked = record(rows, 4);
        assertThat(blocked).containsEntry("tool", "delete_file")
                .containsEntry("agent", "support-bot")
                .containsEntry("source", "intercept")
                .containsEntry("rules", "no-deletes")
                .containsEntry("reasons", "no-deletes: Block all file deletions")
                .containsEntry("upstream_status", "")
                .containsEntry("arguments", "{\"path\":\"/srv/a.txt\"}");
        assertThat(Instant.parse(blocked.get("time"))).isNotNull();
        assertThat(record(rows, 2).get("approval_id")).isNotBlank();
    }

    @Test
    void exportOfAnEmptyLogIsTheHeaderOnly() throws IOException {
        try (Response response = export("")) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo(String.join(",", CSV_COLUMNS) + "\r\n");
        }
    }

    @Test
    void commasQuotesAndLineBreaksRoundTrip() throws IOException {
        String note = "pay \"Acme, Inc.\"\nthen, later,\r\nconfirm";
        intercept("send_note", "{\"note\":" + JSON.writeValueAsString(note) + "}");
        // Not JSON, so stored as the raw text: real line breaks and quotes reach the CSV field.
        String rawArguments = "say \"hi\", then\r\nbye\nnow";
        intercept("send_note", JSON.writeValueAsString(rawArguments));

        List<List<String>> rows = exportRows("");

        assertThat(rows).hasSize(3);
        assertThat(record(rows, 1).get("arguments")).isEqualTo(rawArguments);
        assertThat(JSON.readTree(record(rows, 2).get("arguments")).path("note").asText()).isEqualTo(note);
        assertThat(record(rows, 1).get("reasons")).startsWith("invalid-arguments: ");
    }

    @Test
    void cellsThatASpreadsheetWouldRunAsFormulasAreNeutralised() throws IOException {
        intercept("=HYPERLINK(\"http://evil.example\",\"open\")", "{}");
        intercept("@SUM(A1:A9)", "\"=1+2\"");

        List<List<String>> rows = exportRows("");

        assertThat(column(rows, "tool")).containsExactly("'@SUM(A1:A9)", "'=HYPERLINK(\"http://evil.example\",\"open\")");
        assertThat(record(rows, 1).get("arguments")).isEqualTo("'=1+2");
    }

    @ParameterizedTest(name = "{0} events")
    @ValueSource(ints = {1_234, 1_000})
    void largeExportIsStreamedWithEveryEventExactlyOnce(int count) throws IOException {
        List<AuditEvent> events = new ArrayList<>(count);
        Instant start = Instant.parse("2026-02-01T00:00:00Z");
        for (int i = 0; i < count; i++) {
            events.add(event(UUID.randomUUID().toString(), i % 3 == 0 ? "blocked" : "allowed", "tool_" + (i % 7),
                    "{\"n\":" + i + ",\"note\":\"row " + i + ", with a comma\"}", start.plusSeconds(i)));
        }
        gateway.gateway().storage().auditLog().append(events).join();

        List<List<String>> rows = exportRows("");

        assertThat(rows).hasSize(1 + count);
        List<String> expectedIds = newestFirst(events.stream().map(AuditEvent::eventId).toList());
        assertThat(column(rows, "id")).containsExactlyElementsOf(expectedIds).doesNotHaveDuplicates();
        assertThat(column(rows, "arguments").get(0)).isEqualTo(events.get(count - 1).arguments());
    }

    @Test
    void exportHonoursFiltersAcrossBatches() throws IOException {
        List<AuditEvent> events = new ArrayList<>();
        Instant start = Instant.parse("2026-02-01T00:00:00Z");
        for (int i = 0; i < 1_234; i++) {
            events.add(event(UUID.randomUUID().toString(), i % 3 == 0 ? "blocked" : "allowed", i % 2 == 0 ? "delete_file" : "read_file",
                    "{}", start.plusSeconds(i)));
        }
        gateway.gateway().storage().auditLog().append(events).join();

        List<String> expected = newestFirst(events.stream()
                .filter(e -> e.decision().equals("blocked") && e.tool().equals("delete_file"))
                .map(AuditEvent::eventId).toList());
        List<List<String>> rows = exportRows("?status=blocked&tool=delete_file");
        assertThat(column(rows, "id")).containsExactlyElementsOf(expected);

        List<String> since = newestFirst(events.subList(1_000, 1_234).stream().map(AuditEvent::eventId).toList());
        assertThat(column(exportRows("?since=" + start.plusSeconds(1_000)), "id")).containsExactlyElementsOf(since);
        // Paging parameters do not cut an export short.
        assertThat(exportRows("?limit=1&page=3")).hasSize(1 + 1_234);
    }

    @Test
    void exportLinkMayCarryTheKeyInTheQueryString() throws IOException {
        intercept("read_file", "{\"path\":\"/srv/a.txt\"}");
        Request request = new Request.Builder()
                .url(gateway.baseUrl() + "/api/logs/export?status=allowed&api_key=" + TestGateway.ADMIN_KEY).build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(Rfc4180.parse(response.body().string())).hasSize(2);
        }
    }

    @Test
    void csvParserUsedHereRejectsMalformedInput() {
        assertThatThrownBy(() -> Rfc4180.parse("a,b\r\n\"unterminated\r\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rfc4180.parse("a,b\na,b\r\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rfc4180.parse("a,b\"c\r\n")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Rfc4180.parse("a,\"b,\"\"c\"\"\r\nd\"\r\n,\r\n"))
                .containsExactly(List.of("a", "b,\"c\"\r\nd"), List.of("", ""));
    }

    private static AuditEvent event(String eventId, String decision, String tool, String arguments, Instant time) {
        return new AuditEvent(0, eventId, time, "default", "support-bot", "intercept", tool, null, arguments, decision,
                decision.equals("blocked") ? List.of("no-deletes") : List.of(), List.of(), 0.0, null, "v-test", "", null, 0, null);
    }

    /**
     * A strict RFC 4180 reader: records end in CRLF, fields are separated by commas, a quoted field
     * may hold commas, CR, LF and doubled quotes; anything else is rejected.
     */
    static final class Rfc4180 {
        private Rfc4180() {
        }

        static List<List<String>> parse(String text) {
            List<List<String>> records = new ArrayList<>();
            List<String> record = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            int i = 0;
            while (i < text.length()) {
                if (text.charAt(i) == '"') {
                    i++;
                    while (true) {
                        if (i >= text.length()) {
                            throw new IllegalArgumentException("unterminated quoted field in record " + (records.size() + 1));
                        }
                        char c = text.charAt(i++);
                        if (c == '"') {
                            if (i < text.length() && text.charAt(i) == '"') {
                                field.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            field.append(c);
                        }
                    }
                } else {
                    while (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '\r') {
                        char c = text.charAt(i++);
                        if (c == '"' || c == '\n') {
                            throw new IllegalArgumentException("unquoted field holds " + (c == '"' ? "a quote" : "a bare LF")
                                    + " in record " + (records.size() + 1));
                        }
                        field.append(c);
                    }
                }
                record.add(field.toString());
                field.setLength(0);
                if (i >= text.length()) {
                    throw new IllegalArgumentException("last record does not end in CRLF");
                }
                if (text.charAt(i) == ',') {
                    i++;
                } else if (text.startsWith("\r\n", i)) {
                    i += 2;
                    records.add(record);
                    record = new ArrayList<>();
                } else {
                    throw new IllegalArgumentException("unexpected '" + text.charAt(i) + "' after a field in record "
                            + (records.size() + 1));
                }
            }
            return records;
        }
    }
}
