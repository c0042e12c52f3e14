package dev.toolgate.proxy.incidents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/reports/audit.md}: the Markdown evidence of a workspace's calls and incidents in a time range. */
class AuditReportApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
    private static final String SECRET = "sk-proj-Zq8xY7wV6uT5sR4qP3oN2mL1kJ0";

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
    void reportCountsDecisionsListsIncidentsWithTimelinesAndVerifiesTheChainWithoutSecrets() throws Exception {
        decide("{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}");
        decide("{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/b.txt\"}}");
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/keys.txt\",\"token\":\"" + SECRET + "\"}}");
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/c.txt\"}}");
        decide("{\"tool_name\":\"drop_database\",\"arguments\":{\"name\":\"prod\"}}");
        decide("{\"tool_name\":\"wire_transfer\",\"arguments\":{\"amount\":5000}}");
        String incident = awaitIncidentWithSignals(4);
        // Outside the range: counted nowhere.
        clock.advance(Duration.ofHours(2));
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/late.txt\"}}");

        String report;
        try (Response response = gateway.get("/api/reports/audit.md?since=" + START + "&until=" + START.plus(Duration.ofHours(1)),
                TestGateway.ADMIN_KEY)) {
            report = response.body().string();
            assertThat(response.code()).as(report).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("text/markdown; charset=utf-8");
        }

        assertThat(report).startsWith("# Toolgate audit evidence: workspace `default`\n")
                .contains("- Range: 2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z")
                .contains("## Decisions\n\n| Decision | Count |\n|---|---:|\n| allowed | 2 |\n| blocked | 3 |\n| pending | 1 |\n"
                        + "| **total** | 6 |")
                .contains("## Top blocked tools\n\n| Tool | Blocked |\n|---|---:|\n| delete_file | 2 |\n| drop_database | 1 |\n")
                .contains("## Top blocking rules\n\n| Rule | Blocked |\n|---|---:|\n| no-deletes | 2 |\n")
                .contains("## Incidents (1)")
                .contains("### Incident " + incident)
                .contains("| decision | blocked delete_file (no-deletes) | `{\"path\":\"/srv/keys.txt\"")
                .contains("| decision | held wire_transfer for approval (big-transfers) | `{\"amount\":5000}` |")
                .contains("## Audit chain verification\n\nIntact: 7 events verified.")
                .doesNotContain(SECRET)
                .doesNotContain("late.txt");
    }

    @Test
    void reportIsTheCallersWorkspacesOnlyAndRefusesAnEmptyRange() throws Exception {
        decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}");
        String incident = awaitIncidentWithSignals(1);

        try (Response other = gateway.get("/api/reports/audit.md", TestGateway.OTHER_WORKSPACE_ADMIN_KEY)) {
            String report = other.body().string();
            assertThat(report).startsWith("# Toolgate audit evidence: workspace `other`")
                    .contains("| **total** | 0 |").contains("## Incidents (0)").doesNotContain(incident).doesNotContain("delete_file");
        }
        try (Response backwards = gateway.get("/api/reports/audit.md?since=2026-12-02&until=2026-12-01", TestGateway.ADMIN_KEY)) {
            assertThat(backwards.code()).isEqualTo(400);
        }
        try (Response agent = gateway.get("/api/reports/audit.md", TestGateway.AGENT_KEY)) {
            assertThat(agent.code()).isEqualTo(403);
        }
    }

    private void decide(String body) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            assertThat(response.code()).isEqualTo(200);
        }
    }

    /** Incidents are recorded off the decision path: waits for the only incident to hold {@code signals}. */
    private String awaitIncidentWithSignals(int signals) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode incidents;
        do {
            try (Response response = gateway.get("/api/incidents", TestGateway.ADMIN_KEY)) {
                incidents = JSON.readTree(response.body().string()).path("incidents");
            }
            if (incidents.size() == 1 && incidents.get(0).path("signal_count").asInt() == signals) {
                return incidents.get(0).path("id").asText();
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no incident with " + signals + " signals; last seen: " + incidents);
    }
}
