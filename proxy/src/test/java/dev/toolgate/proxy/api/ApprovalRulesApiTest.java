package dev.toolgate.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.StreamSupport;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approval rules managed through {@code /api/approval-rules}: listed beside the rules from
 * {@code toolgate.yaml}, in force as soon as they are created, for their workspace only, and
 * kept across restarts.
 */
class ApprovalRulesApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing here goes upstream; the address is never dialled. */
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String REFUND_RULE = """
            {"rule_text":"Refunds over 100 need a person","action":"approve","tools":["refund_*"],
             "when":"has(args.amount) && args.amount > 100","approver_email":"refunds@example.com"}""";

    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private TestGateway start(String storageUrl) {
        gateway = TestGateway.builder(NO_UPSTREAM).storage(storageUrl).start();
        return gateway;
    }

    private TestGateway start() {
        return start(TestGateway.memoryStorage());
    }

    private JsonNode rules(String key) throws IOException {
        try (Response response = gateway.get("/api/approval-rules", key)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text).path("rules");
        }
    }

    private static List<String> ids(JsonNode rules) {
        return StreamSupport.stream(rules.spliterator(), false).map(rule -> rule.path("id").asText()).toList();
    }

    private Response create(String body) throws IOException {
        return gateway.post("/api/approval-rules", TestGateway.ADMIN_KEY, body);
    }

    /** Creates the refund rule and returns its answer. */
    private JsonNode createRefundRule() throws IOException {
        try (Response response = create(REFUND_RULE)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(201);
            return JSON.readTree(text);
        }
    }

    /** The decision {@code /api/intercept} gives {@code key}'s caller for a refund of {@code amount}. */
    private JsonNode refund(String key, int amount) throws IOException {
        try (Response response = gateway.post("/api/intercept", key,
                "{\"tool_name\":\"refund_customer\",\"arguments\":{\"customer\":\"c-42\",\"amount\":" + amount + "}}")) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private static JsonNode error(Response response) throws IOException {
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode error = JSON.readTree(response.body().string()).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        return error;
    }

    @Test
    void listShowsTheRulesFromTheConfigFile() throws IOException {
        start();

        JsonNode rules = rules(TestGateway.ADMIN_KEY);

        assertThat(ids(rules)).containsExactly("no-deletes", "big-transfers", "env-files");
        assertThat(rules).allSatisfy(rule -> assertThat(rule.path("source").asText()).isEqualTo("config"));
        JsonNode transfers = rules.get(1);
        assertThat(transfers.path("rule_text").asText()).isEqualTo("Any wire transfer over 1000 needs approval");
        assertThat(transfers.path("action").asText()).isEqualTo("approve");
        assertThat(transfers.path("tools")).extracting(JsonNode::asText).containsExactly("wire_transfer");
        assertThat(transfers.path("when").asText()).isEqualTo("has(args.amount) && args.amount > 1000");
        assertThat(transfers.path("approver_email").asText()).isEqualTo("finance@example.com");
    }

    @Test
    void aCreatedRuleIsListedAndHoldsMatchingCallsAtOnce() throws IOException {
        start();
        assertThat(refund(TestGateway.AGENT_KEY, 500).path("allowed").asBoolean()).as("no rule yet").isTrue();

        JsonNode created = createRefundRule();

        String id = created.path("id").asText();
        assertThat(id).isNotBlank();
        assertThat(created.path("source").asText()).isEqualTo("api");
        assertThat(created.path("rule_text").asText()).isEqualTo("Refunds over 100 need a person");
        assertThat(created.path("action").asText()).isEqualTo("approve");
        assertThat(created.path("tools")).extracting(JsonNode::asText).containsExactly("refund_*");
        assertThat(created.path("when").asText()).isEqualTo("has(args.amount) && args.amount > 100");
        assertThat(created.path("approver_email").asText()).isEqualTo("refunds@example.com");
        assertThat(created.path("created_by").asText()).isEqualTo("ops");

        JsonNode listed = rules(TestGateway.ADMIN_KEY);
        assertThat(ids(listed)).containsExactly("no-deletes", "big-transfers", "env-files", id);
        assertThat(listed.get(3).path("source").asText()).isEqualTo("api");

        JsonNode big = refund(TestGateway.AGENT_KEY, 500);
        assertThat(big.path("allowed").asBoolean()).isFalse();
        assertThat(big.path("status").asText()).isEqualTo("pending_approval");
        assertThat(big.path("rule").asText()).isEqualTo(id);
        JsonNode small = refund(TestGateway.AGENT_KEY, 50);
        assertThat(small.path("allowed").asBoolean()).isTrue();
        assertThat(small.path("status").asText()).isEqualTo("allowed");

        // The held call names the rule and its text, and asks the rule's approver.
        try (Response approval = gateway.get("/api/pending-approvals/" + big.path("approval_id").asText(), TestGateway.ADMIN_KEY)) {
            JsonNode held = JSON.readTree(approval.body().string());
            assertThat(held.path("rule").asText()).isEqualTo(id);
            assertThat(held.path("rule_text").asText()).isEqualTo("Refunds over 100 need a person");
            assertThat(held.path("approver_email").asText()).isEqualTo("refunds@example.com");
        }
    }

    @Test
    void aCreatedRuleBelongsToItsWorkspaceOnly() throws IOException {
        start();
        String id = createRefundRule().path("id").asText();

        JsonNode otherRules = rules(TestGateway.OTHER_WORKSPACE_ADMIN_KEY);
        assertThat(ids(otherRules)).containsExactly("no-deletes", "big-transfers", "env-files");
        // Admins may ask /api/intercept too, as themselves and in their own workspace.
        assertThat(refund(TestGateway.OTHER_WORKSPACE_ADMIN_KEY, 500).path("allowed").asBoolean()).isTrue();
        assertThat(refund(TestGateway.ADMIN_KEY, 500).path("allowed").asBoolean()).isFalse();

        try (Response response = gateway.delete("/api/approval-rules/" + id, TestGateway.OTHER_WORKSPACE_ADMIN_KEY)) {
            assertThat(response.code()).as("another workspace cannot delete it").isEqualTo(404);
        }
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).contains(id);
    }

    @Test
    void theSeedsBodyCreatesAJudgedRuleInTheSeedsShape() throws IOException {
        start();

        JsonNode created;
        try (Response response = create("{\"rule_text\":\"Any wire transfer over £1,000 needs approval\",\"action\":\"approve\","
                + "\"approver_email\":\"finance@example.com\"}")) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(201);
            created = JSON.readTree(text);
        }
        String id = created.path("id").asText();
        assertThat(id).isNotBlank();
        assertThat(created.path("rule_text").asText()).isEqualTo("Any wire transfer over £1,000 needs approval");
        assertThat(created.path("action").asText()).isEqualTo("approve");
        assertThat(created.path("approver_email").asText()).isEqualTo("finance@example.com");
        assertThat(created.path("judged").asBoolean()).isTrue();
        assertThat(created.path("tools")).extracting(JsonNode::asText).containsExactly("*");
        assertThat(created.path("when").isNull()).isTrue();

        JsonNode listed = rules(TestGateway.ADMIN_KEY);
        assertThat(ids(listed)).containsExactly("no-deletes", "big-transfers", "env-files", id);
        assertThat(listed.get(3).path("rule_text").asText()).isEqualTo("Any wire transfer over £1,000 needs approval");
        assertThat(listed.get(3).path("judged").asBoolean()).isTrue();
        assertThat(listed.get(1).path("judged").asBoolean()).isFalse();

        try (Response response = gateway.delete("/api/approval-rules/" + id, TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            JsonNode deleted = JSON.readTree(response.body().string());
            assertThat(deleted.path("id").asText()).isEqualTo(id);
            assertThat(deleted.path("deleted").asBoolean()).isTrue();
        }
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).doesNotContain(id);
    }

    @Test
    void anExactRuleWithoutToolsIs422() throws IOException {
        start();

        try (Response response = create("{\"rule_text\":\"Refunds\",\"action\":\"approve\",\"judged\":false}")) {
            assertThat(response.code()).isEqualTo(422);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
            assertThat(error.path("message").asText()).contains("tools");
        }
        try (Response response = create("{\"rule_text\":\"Refunds\",\"action\":\"approve\",\"judged\":\"yes\"}")) {
            assertThat(response.code()).isEqualTo(422);
            assertThat(error(response).path("message").asText()).contains("judged must be true or false");
        }
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).hasSize(3);
    }

    @Test
    void anUnknownActionIs422() throws IOException {
        start();

        try (Response response = create("{\"rule_text\":\"Refunds\",\"action\":\"escalate\",\"tools\":[\"refund_*\"]}")) {
            assertThat(response.code()).isEqualTo(422);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
            assertThat(error.path("message").asText()).contains("action", "escalate");
        }
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).hasSize(3);
    }

    @Test
    void aConditionThatDoesNotCompileIs422NamingWhen() throws IOException {
        start();

        try (Response response = create("{\"rule_text\":\"Refunds\",\"action\":\"approve\",\"tools\":[\"refund_*\"],"
                + "\"when\":\"args.amount >\"}")) {
            assertThat(response.code()).isEqualTo(422);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
            assertThat(error.path("message").asText()).startsWith("when:");
        }
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).hasSize(3);
        assertThat(refund(TestGateway.AGENT_KEY, 500).path("allowed").asBoolean()).isTrue();
    }

    @Test
    void aMissingRuleTextIs400() throws IOException {
        start();

        try (Response response = create("{\"action\":\"approve\",\"tools\":[\"refund_*\"]}")) {
            assertThat(response.code()).isEqualTo(400);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("MISSING_FIELD");
            assertThat(error.path("message").asText()).contains("rule_text");
        }
    }

    @Test
    void aDeletedRuleStopsApplying() throws IOException {
        start();
        String id = createRefundRule().path("id").asText();
        assertThat(refund(TestGateway.AGENT_KEY, 500).path("allowed").asBoolean()).isFalse();

        try (Response response = gateway.delete("/api/approval-rules/" + id, TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(body.path("id").asText()).isEqualTo(id);
            assertThat(body.path("deleted").asBoolean()).isTrue();
        }

        assertThat(ids(rules(TestGateway.ADMIN_KEY))).doesNotContain(id);
        JsonNode answer = refund(TestGateway.AGENT_KEY, 500);
        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("status").asText()).isEqualTo("allowed");
        try (Response again = gateway.delete("/api/approval-rules/" + id, TestGateway.ADMIN_KEY)) {
            assertThat(again.code()).isEqualTo(404);
        }
    }

    @Test
    void deletingAnUnknownRuleIs404() throws IOException {
        start();

        try (Response response = gateway.delete("/api/approval-rules/api-00000000", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(404);
            assertThat(error(response).path("code").asText()).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void deletingARuleFromTheConfigFileIs409() throws IOException {
        start();

        try (Response response = gateway.delete("/api/approval-rules/big-transfers", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(409);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("RULE_IN_CONFIG");
            assertThat(error.path("message").asText()).contains("toolgate.yaml");
        }
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).contains("big-transfers");
    }

    @Test
    void anAgentKeyMayNotManageRules() throws IOException {
        start();

        try (Response response = gateway.get("/api/approval-rules", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(403);
        }
        try (Response response = gateway.post("/api/approval-rules", TestGateway.AGENT_KEY, REFUND_RULE)) {
            assertThat(response.code()).isEqualTo(403);
        }
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).hasSize(3);
    }

    @Test
    void rulesCreatedAtTheSameTimeAllTakeEffect() throws Exception {
        start();
        int count = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService admins = Executors.newFixedThreadPool(count);
        List<CompletableFuture<Integer>> creations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = "{\"rule_text\":\"No tool " + i + "\",\"action\":\"block\",\"tools\":[\"tool_" + i + "\"]}";
            creations.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    try (Response response = create(body)) {
                        return response.code();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, admins));
        }
        go.countDown();

        List<Integer> codes = creations.stream().map(CompletableFuture::join).toList();
        admins.shutdown();
        assertThat(codes).containsOnly(201);
        assertThat(ids(rules(TestGateway.ADMIN_KEY))).hasSize(3 + count);
        for (int i = 0; i < count; i++) {
            try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"tool_" + i + "\"}")) {
                JsonNode answer = JSON.readTree(response.body().string());
                assertThat(answer.path("status").asText()).as("tool_" + i).isEqualTo("blocked");
            }
        }
    }

    @Test
    void rulesSurviveARestart(@TempDir Path dir) throws IOException {
        String storage = "jdbc:h2:file:" + dir.resolve("tg");
        start(storage);
        String kept = createRefundRule().path("id").asText();
        String deleted;
        try (Response response = create("{\"rule_text\":\"No shell\",\"action\":\"block\",\"tools\":[\"run_shell\"]}")) {
            assertThat(response.code()).isEqualTo(201);
            deleted = JSON.readTree(response.body().string()).path("id").asText();
        }
        try (Response response = gateway.delete("/api/approval-rules/" + deleted, TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
        }
        gateway.close();

        start(storage);

        JsonNode rules = rules(TestGateway.ADMIN_KEY);
        assertThat(ids(rules)).containsExactly("no-deletes", "big-transfers", "env-files", kept);
        assertThat(rules.get(3).path("when").asText()).isEqualTo("has(args.amount) && args.amount > 100");
        assertThat(refund(TestGateway.AGENT_KEY, 500).path("status").asText()).isEqualTo("pending_approval");
        assertThat(refund(TestGateway.AGENT_KEY, 50).path("allowed").asBoolean()).isTrue();
    }
}
