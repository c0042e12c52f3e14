package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code toolgate replay}: history made by the real gateway (decisions through {@code /api/intercept},
 * an approval included), then re-decided offline under a candidate file.
 */
class ReplayCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    /** The standard rules, plus a block on reads under /srv/, minus the approval on big transfers. */
    private static final String CANDIDATE_RULES = """
            policy:
              default: allow
              on_error: block
              blocked_tools: [drop_database]
            rules:
              - id: no-deletes
                description: Block all file deletions
                tools: [delete_file]
                action: block
              - id: no-srv-reads
                description: Nothing under /srv/ is for agents
                tools: [read_file]
                when: "args.path.startsWith('/srv/')"
                action: block
              - id: env-files
                description: Reading .env files is watched
                tools: [read_file]
                when: "args.path.endsWith('.env')"
                action: warn
            """;

    private final String storageUrl = "jdbc:h2:mem:replay-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @TempDir
    Path dir;

    @Test
    void reportsTheCallsWhoseOutcomeWouldChangeGroupedByRuleWithExamples() throws Exception {
        Map<String, String> ids = decideThroughTheGateway();
        Path candidate = ConfigFiles.write(dir, "candidate.yaml", storageUrl, CANDIDATE_RULES);

        CommandRun run = CommandRun.toolgate("replay", "--config", candidate.toString(), "--since", "1d");

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(1);
        assertThat(run.out()).startsWith("Replayed the audit of the last 1d (since ")
                .contains("workspaces default, other, under " + candidate + " (policy version ")
                .contains(ReplayReport.REDACTION_NOTE)
                .contains("2 calls allowed then would now be blocked by rule no-srv-reads:\n")
                .contains("2 calls held for approval then would now be allowed by rule policy.default:\n")
                .contains("Totals: 4 of 7 re-decided calls would change, 3 would not.\n")
                .contains("Not re-decided: 1 approver decision");
        // The held transfer, and its retry released on the approval: both were the policy's "pending".
        assertThat(run.out()).containsSubsequence("2 calls held for approval", "agent support-bot  event " + ids.get("retried transfer"),
                "event " + ids.get("held transfer"));
        assertThat(run.out()).contains("read_file  agent support-bot  event " + ids.get("srv read") + "  {\"path\":\"/srv/a.txt\"}");
    }

    @Test
    void jsonReportsTheSameChanges() throws Exception {
        Map<String, String> ids = decideThroughTheGateway();
        Path candidate = ConfigFiles.write(dir, "candidate.yaml", storageUrl, CANDIDATE_RULES);

        CommandRun run = CommandRun.toolgate("replay", "--config", candidate.toString(), "--json");

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(1);
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.path("changed").asLong()).isEqualTo(4);
        assertThat(report.path("unchanged").asLong()).isEqualTo(3);
        assertThat(report.path("approver_decisions").asLong()).isEqualTo(1);
        List<String> groups = new ArrayList<>();
        JsonNode blocked = null;
        for (JsonNode change : report.path("changes")) {
            groups.add(change.path("from").asText() + ">" + change.path("to").asText() + " " + change.path("rule").asText() + " "
                    + change.path("count").asLong());
            blocked = change.path("rule").asText().equals("no-srv-reads") ? change : blocked;
        }
        assertThat(groups).containsExactlyInAnyOrder("allowed>blocked no-srv-reads 2", "pending>allowed policy.default 2");
        assertThat(blocked.path("examples")).hasSize(2);
        assertThat(blocked.path("examples").get(1).path("event_id").asText()).isEqualTo(ids.get("srv read"));
        assertThat(blocked.path("examples").get(1).path("rules_now").toString()).isEqualTo("[\"no-srv-reads\"]");
        assertThat(report.path("note").asText()).isEqualTo(ReplayReport.REDACTION_NOTE);
    }

    @Test
    void theRulesInForceChangeNothingAndExitZero() throws Exception {
        decideThroughTheGateway();
        Path same = ConfigFiles.write(dir, "toolgate.yaml", storageUrl, TestGateway.STANDARD_RULES);

        CommandRun run = CommandRun.toolgate("replay", "--config", same.toString());

        assertThat(run.exitCode()).as(run.printed()).isZero();
        assertThat(run.out()).contains("No outcome would change.").contains("Totals: 0 of 7 re-decided calls would change, 7 would not.");
    }

    @Test
    void onlyTheWindowIsReplayedAndCutShortArgumentsAreLeftOut() throws Exception {
        Instant now = Instant.now();
        append(event(now.minus(Duration.ofDays(10)), "read_file", "{\"path\":\"/srv/old.txt\"}", "allowed"),
                event(now.minus(Duration.ofHours(2)), "read_file", "{\"path\":\"/srv/new.txt\"}", "allowed"),
                event(now.minus(Duration.ofHours(1)), "read_file", "{\"path\":\"/srv/" + "x".repeat(100) + "…[truncated 9000 characters]",
                        "allowed"));
        Path candidate = ConfigFiles.write(dir, "candidate.yaml", storageUrl, CANDIDATE_RULES);

        CommandRun week = CommandRun.toolgate("replay", "--config", candidate.toString(), "--since", "7d", "--json");
        CommandRun month = CommandRun.toolgate("replay", "--config", candidate.toString(), "--since", "30d", "--json");

        assertThat(JSON.readTree(week.out()).path("changed").asLong()).as(week.printed()).isEqualTo(1);
        assertThat(JSON.readTree(week.out()).path("arguments_cut_short").asLong()).isEqualTo(1);
        assertThat(JSON.readTree(month.out()).path("changed").asLong()).isEqualTo(2);
    }

    @Test
    void theStorageOptionOverridesTheCandidatesDatabase() throws Exception {
        append(event(Instant.now(), "read_file", "{\"path\":\"/srv/a.txt\"}", "allowed"));
        Path candidate = ConfigFiles.write(dir, "candidate.yaml", "jdbc:h2:mem:elsewhere-" + UUID.randomUUID(), CANDIDATE_RULES);

        CommandRun run = CommandRun.toolgate("replay", "--config", candidate.toString(), "--storage", storageUrl);

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(1);
        assertThat(run.out()).contains("1 call allowed then would now be blocked by rule no-srv-reads:");
    }

    @Test
    void aBrokenCandidateExitsTwo() throws Exception {
        Path candidate = ConfigFiles.write(dir, "candidate.yaml", storageUrl, """
                rules:
                  - id: no-srv-reads
                    tools: [read_file]
                    when: "args.path.startsWith("
                    action: block
                """);

        CommandRun run = CommandRun.toolgate("replay", "--config", candidate.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("candidate.yaml:12:").contains("rules[0].when:");
    }

    @Test
    void aDatabaseThatCannotOpenExitsThree() throws Exception {
        Path candidate = ConfigFiles.write(dir, "candidate.yaml", "jdbc:h2:file:" + dir.resolve("missing") + ";IFEXISTS=TRUE",
                CANDIDATE_RULES);

        CommandRun run = CommandRun.toolgate("replay", "--config", candidate.toString());

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(3);
        assertThat(run.err()).startsWith("cannot open the database at jdbc:h2:file:").contains("A running gateway holds");
    }

    @Test
    void aSinceThatIsNotADurationIsRefused() throws Exception {
        Path candidate = ConfigFiles.write(dir, "candidate.yaml", storageUrl, CANDIDATE_RULES);

        CommandRun run = CommandRun.toolgate("replay", "--config", candidate.toString(), "--since", "last week");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'last week' (expected: a positive duration such as 7d, 24h or 30m)");
    }

    /**
     * Through the standard rules: two reads under /srv/ and a .env read (allowed, allowed, warned), a
     * deletion (blocked), a transfer held, approved by ops and retried (released on the approval), and
     * a read in workspace other: seven policy decisions and one approver decision.
     */
    private Map<String, String> decideThroughTheGateway() throws IOException {
        try (TestGateway gateway = TestGateway.builder(NO_UPSTREAM).storage(storageUrl).start()) {
            String srvRead = intercept(gateway, TestGateway.AGENT_KEY, "read_file", "{\"path\":\"/srv/a.txt\"}").path("decision_id").asText();
            intercept(gateway, TestGateway.AGENT_KEY, "read_file", "{\"path\":\"/srv/b.txt\"}");
            intercept(gateway, TestGateway.AGENT_KEY, "read_file", "{\"path\":\"/app/.env\"}");
            intercept(gateway, TestGateway.AGENT_KEY, "delete_file", "{\"path\":\"/srv/a.txt\"}");
            JsonNode held = intercept(gateway, TestGateway.AGENT_KEY, "wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}");
            try (Response response = gateway.post("/api/pending-approvals/" + held.path("approval_id").asText() + "/decide",
                    TestGateway.ADMIN_KEY, "{\"action\":\"approved\",\"note\":\"invoice 7\"}")) {
                assertThat(response.code()).isEqualTo(200);
            }
            JsonNode retried = intercept(gateway, TestGateway.AGENT_KEY, "wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}");
            assertThat(retried.path("status").asText()).isEqualTo("allowed");
            intercept(gateway, TestGateway.OTHER_WORKSPACE_ADMIN_KEY, "read_file", "{\"path\":\"/home/notes.txt\"}");
            return Map.of("srv read", srvRead, "held transfer", held.path("decision_id").asText(),
                    "retried transfer", retried.path("decision_id").asText());
        }
    }

    private static JsonNode intercept(TestGateway gateway, String key, String tool, String argumentsJson) throws IOException {
        String body = "{\"tool_name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}";
        try (Response response = gateway.post("/api/intercept", key, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(response.code()).as(answer.toString()).isEqualTo(200);
            return answer;
        }
    }

    private static AuditEvent event(Instant time, String tool, String arguments, String decision) {
        return new AuditEvent(0, EventIds.next(), time, "default", "support-bot", "intercept", tool, null, arguments, decision,
                List.of(), List.of("policy.default: no rule matched; policy default is allow"), 0.0, null, "v0", "", null, 0, null);
    }

    private void append(AuditEvent... events) {
        try (Storage storage = JdbiStorage.open(new StorageSettings(storageUrl, "sa", ""))) {
            storage.auditLog().append(List.of(events)).join();
            assertThat(storage.auditLog().query(AuditQuery.of("default")).total()).isEqualTo(events.length);
        }
    }
}
