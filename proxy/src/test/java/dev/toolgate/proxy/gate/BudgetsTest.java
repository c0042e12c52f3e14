package dev.toolgate.proxy.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Budgets over time through the real gateway: totals that concurrent calls never take past their
 * max, the split refund held at the eleventh call, the window sliding, and only released calls
 * spending. {@code GET /api/budgets} shows what was spent.
 */
class BudgetsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing here goes upstream; the address is never dialled. */
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String REFUND_BUDGET = """
            policy:
              default: allow
              on_error: block
            rules:
              - id: refund-budget
                description: Refunds over 5000 a day need a person
                tools: [issue_refund]
                budget: { sum: "args.amount", per: 24h, max: 5000, scope: agent }
                action: %s
              - id: no-refunds-to-friends
                tools: [issue_refund]
                when: "has(args.to) && args.to == 'friend'"
                action: block
            """;

    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(String action, MutableClock clock) {
        TestGateway.Builder builder = TestGateway.builder(NO_UPSTREAM).policy(REFUND_BUDGET.formatted(action));
        gateway = (clock == null ? builder : builder.clock(clock)).start();
    }

    private JsonNode refund(int order, String amount) throws IOException {
        return intercept("{\"tool_name\":\"issue_refund\",\"arguments\":{\"order\":" + order + ",\"amount\":" + amount + "}}");
    }

    private JsonNode intercept(String body) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, body)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private JsonNode budgets(String key) throws IOException {
        try (Response response = gateway.get("/api/budgets", key)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    /** The agent's total of refund-budget as {@code GET /api/budgets} shows it. */
    private JsonNode refundTotal() throws IOException {
        JsonNode budget = budgets(TestGateway.ADMIN_KEY).at("/budgets/0");
        assertThat(budget.path("rule").asText()).isEqualTo("refund-budget");
        assertThat(budget.path("totals")).hasSize(1);
        JsonNode total = budget.at("/totals/0");
        assertThat(total.path("scope_key").asText()).isEqualTo("agent:support-bot");
        return total;
    }

    @Test
    void fiftyConcurrentCallsNeverTakeTheTotalPastMax() throws Exception {
        start("block", null);
        ExecutorService clients = Executors.newFixedThreadPool(50);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int order = i;
                answers.add(clients.submit(() -> {
                    go.await();
                    return refund(order, "300");
                }));
            }
            go.countDown();
            int allowed = 0;
            int blocked = 0;
            for (Future<JsonNode> answer : answers) {
                JsonNode decided = answer.get(60, TimeUnit.SECONDS);
                if (decided.path("allowed").asBoolean()) {
                    allowed++;
                } else {
                    assertThat(decided.path("rule").asText()).isEqualTo("refund-budget");
                    blocked++;
                }
            }

            assertThat(allowed).as("5000 / 300: sixteen fit, the seventeenth would pass 5000").isEqualTo(16);
            assertThat(blocked).isEqualTo(34);
            JsonNode total = refundTotal();
            assertThat(total.path("used").decimalValue()).isEqualByComparingTo("4800");
            assertThat(total.path("remaining").decimalValue()).isEqualByComparingTo("200");
            assertThat(total.path("calls").asLong()).isEqualTo(16);
            List<AuditEvent> audited = gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
            assertThat(audited).filteredOn(event -> event.decision().equals("allowed")).hasSize(16);
            assertThat(audited).filteredOn(event -> event.decision().equals("blocked")).hasSize(34)
                    .allSatisfy(event -> assertThat(event.rules()).contains("refund-budget"));
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void sixThousandSplitIntoTwelveRefundsIsHeldAtTheEleventhAndSpendsOnceApproved() throws IOException {
        start("approve", null);
        for (int order = 1; order <= 10; order++) {
            assertThat(refund(order, "500").path("status").asText()).as("refund " + order).isEqualTo("allowed");
        }

        JsonNode eleventh = refund(11, "500");

        assertThat(eleventh.path("status").asText()).isEqualTo("pending_approval");
        assertThat(eleventh.path("rule").asText()).isEqualTo("refund-budget");
        assertThat(eleventh.path("reason").asText()).contains("over budget (5000 of 5000 used in the last 24h by agent 'support-bot';"
                + " this call adds 500)");
        assertThat(refundTotal().path("used").decimalValue()).as("a held call spends nothing").isEqualByComparingTo("5000");

        String approvalId = eleventh.path("approval_id").asText();
        try (Response approved = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\"}")) {
            assertThat(approved.code()).isEqualTo(200);
        }
        JsonNode retried = refund(11, "500");

        assertThat(retried.path("status").asText()).isEqualTo("allowed");
        JsonNode total = refundTotal();
        assertThat(total.path("used").decimalValue()).as("the approved refund counts").isEqualByComparingTo("5500");
        assertThat(total.path("remaining").decimalValue()).isEqualByComparingTo("0");
        assertThat(refund(12, "500").path("status").asText()).as("the twelfth is held again").isEqualTo("pending_approval");
    }

    @Test
    void blockedAndDeniedCallsSpendNothing() throws IOException {
        start("approve", null);
        JsonNode toFriend = intercept("{\"tool_name\":\"issue_refund\",\"arguments\":{\"amount\":4000,\"to\":\"friend\"}}");
        assertThat(toFriend.path("status").asText()).isEqualTo("blocked");
        assertThat(toFriend.path("rule").asText()).isEqualTo("no-refunds-to-friends");
        assertThat(budgets(TestGateway.ADMIN_KEY).at("/budgets/0/totals")).as("nothing spent").isEmpty();

        assertThat(refund(1, "4500").path("status").asText()).isEqualTo("allowed");
        JsonNode held = refund(2, "4500");
        assertThat(held.path("status").asText()).isEqualTo("pending_approval");
        try (Response denied = gateway.post("/api/pending-approvals/" + held.path("approval_id").asText() + "/decide",
                TestGateway.ADMIN_KEY, "{\"action\":\"denied\"}")) {
            assertThat(denied.code()).isEqualTo(200);
        }
        assertThat(refund(2, "4500").path("status").asText()).isEqualTo("blocked");

        assertThat(refundTotal().path("used").decimalValue()).isEqualByComparingTo("4500");
        assertThat(refundTotal().path("calls").asLong()).isEqualTo(1);
    }

    @Test
    void theWindowSlidesWithTheClock() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
        start("block", clock);
        assertThat(refund(1, "3000").path("allowed").asBoolean()).isTrue();
        clock.advance(Duration.ofHours(12));
        assertThat(refund(2, "2000").path("allowed").asBoolean()).isTrue();
        assertThat(refund(3, "1").path("allowed").asBoolean()).isFalse();

        JsonNode full = refundTotal();
        assertThat(full.path("oldest_entry_at").asText()).isEqualTo("2026-03-02T09:00:00Z");
        assertThat(full.path("resets_at").asText()).isEqualTo("2026-03-03T09:00:00Z");

        clock.advance(Duration.ofHours(12));
        assertThat(refund(4, "3000").path("allowed").asBoolean()).as("the first refund left the window").isTrue();
        JsonNode total = refundTotal();
        assertThat(total.path("used").decimalValue()).isEqualByComparingTo("5000");
        assertThat(total.path("oldest_entry_at").asText()).isEqualTo("2026-03-02T21:00:00Z");
    }

    @Test
    void anAmountThatIsNotANumberFailsClosed() throws IOException {
        start("approve", null);

        JsonNode answer = intercept("{\"tool_name\":\"issue_refund\",\"arguments\":{\"amount\":\"lots\"}}");

        assertThat(answer.path("status").asText()).isEqualTo("blocked");
        assertThat(answer.at("/reasons/0/rule").asText()).isEqualTo("refund-budget");
        assertThat(answer.at("/reasons/0/reason").asText()).startsWith("budget sum could not be evaluated (budget sum returned string,"
                + " expected a number)");
        assertThat(refund(1, "-5").path("status").asText()).as("a negative amount would raise the budget").isEqualTo("blocked");
    }

    @Test
    void budgetsShowEachRuleAndOnlyTheCallersWorkspacesTotals() throws IOException {
        start("approve", null);
        refund(1, "250.5");

        JsonNode budget = budgets(TestGateway.ADMIN_KEY).at("/budgets/0");
        assertThat(budget.path("sum").asText()).isEqualTo("args.amount");
        assertThat(budget.path("per").asText()).isEqualTo("24h");
        assertThat(budget.path("per_seconds").asLong()).isEqualTo(86_400);
        assertThat(budget.path("max").decimalValue()).isEqualByComparingTo("5000");
        assertThat(budget.path("scope").asText()).isEqualTo("agent");
        assertThat(budget.path("action").asText()).isEqualTo("approve");
        assertThat(budget.at("/totals/0/used").decimalValue()).isEqualByComparingTo("250.5");
        assertThat(budgets(TestGateway.ADMIN_KEY).path("budgets")).as("only budget rules are listed").hasSize(1);

        assertThat(budgets(TestGateway.OTHER_WORKSPACE_ADMIN_KEY).at("/budgets/0/totals")).isEmpty();
        try (Response asAgent = gateway.get("/api/budgets", TestGateway.AGENT_KEY)) {
            assertThat(asAgent.code()).isEqualTo(403);
        }
    }
}
