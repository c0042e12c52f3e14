package dev.toolgate.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /api/intercept} as an agent framework sees it: the answer, what was audited, and the errors. */
class InterceptApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing here goes upstream; the address is never dialled. */
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(NO_UPSTREAM);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Response intercept(String body) throws IOException {
        return gateway.post("/api/intercept", TestGateway.AGENT_KEY, body);
    }

    /** Posts the body and returns the 200 answer. */
    private JsonNode decide(String body) throws IOException {
        try (Response response = intercept(body)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("application/json");
            return JSON.readTree(text);
        }
    }

    private AuditEvent audited(JsonNode answer) {
        String decisionId = answer.path("decision_id").asText();
        assertThat(decisionId).isNotBlank();
        return gateway.gateway().storage().auditLog().findByEventId(decisionId).orElseThrow(
                () -> new AssertionError("decision " + decisionId + " was answered but not audited"));
    }

    private List<AuditEvent> allAudited() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
    }

    private static JsonNode errorOf(Response response) throws IOException {
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode error = JSON.readTree(response.body().string()).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        return error;
    }

    @Test
    void callNoRuleMatchesIsAllowedByTheDefault() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}");

        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("status").asText()).isEqualTo("allowed");
        assertThat(answer.path("decision").asText()).isEqualTo("allow");
        assertThat(answer.path("tool").asText()).isEqualTo("read_file");
        assertThat(answer.path("message").asText()).isEqualTo("Tool 'read_file' is allowed.");
        assertThat(answer.has("blocked")).isFalse();
        assertThat(answer.has("warnings")).isFalse();
        assertThat(answer.path("matched_rules")).isEmpty();
        assertThat(answer.at("/reasons/0/rule").asText()).isEqualTo("policy.default");
        assertThat(answer.path("policy_version").asText()).isNotBlank().isEqualTo(audited(answer).policyVersion());
        assertThat(audited(answer).decision()).isEqualTo("allowed");
    }

    @Test
    void warnedCallIsAllowedWithItsWarnings() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/app/.env\"}}");

        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("status").asText()).isEqualTo("allowed");
        assertThat(answer.path("decision").asText()).isEqualTo("warn");
        assertThat(answer.path("message").asText()).isEqualTo("Tool 'read_file' is allowed with a warning.");
        assertThat(answer.at("/warnings/0/rule").asText()).isEqualTo("env-files");
        assertThat(answer.at("/warnings/0/reason").asText()).isEqualTo("Reading .env files is watched");
        assertThat(answer.path("matched_rules")).extracting(JsonNode::asText).containsExactly("env-files");
        assertThat(audited(answer).decision()).isEqualTo("warned");
    }

    @Test
    void callBlockedByARuleIsNotAllowedAndSaysWhy() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}");

        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("status").asText()).isEqualTo("blocked");
        assertThat(answer.path("blocked").asBoolean()).isTrue();
        assertThat(answer.path("decision").asText()).isEqualTo("block");
        assertThat(answer.path("message").asText()).isEqualTo("Tool 'delete_file' is blocked by governance policy.");
        assertThat(answer.path("rule").asText()).isEqualTo("no-deletes");
        assertThat(answer.path("reason").asText()).isEqualTo("Block all file deletions");
        assertThat(answer.has("approval_id")).isFalse();
        assertThat(answer.has("approval_url")).isFalse();
    }

    @Test
    void toolOnTheKillSwitchIsBlockedBeforeAnyRule() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"drop_database\",\"arguments\":{\"name\":\"prod\"}}");

        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("status").asText()).isEqualTo("blocked");
        assertThat(answer.path("rule").asText()).isEqualTo("kill-switch");
        assertThat(answer.path("message").asText()).isEqualTo("Tool 'drop_database' is blocked by governance policy.");
        assertThat(audited(answer).rules()).isEmpty();
        assertThat(audited(answer).reasons()).containsExactly("kill-switch: tool 'drop_database' is on the blocked-tools list");
    }

    @Test
    void callNeedingApprovalIsHeldAndTheApprovalIsStored() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"wire_transfer\",\"tool_call_id\":\"call_w1\","
                + "\"arguments\":{\"to\":\"acme\",\"amount\":2500}}");

        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("status").asText()).isEqualTo("pending_approval");
        assertThat(answer.path("decision").asText()).isEqualTo("approve");
        assertThat(answer.path("message").asText()).isEqualTo("Tool requires human approval. Retry once approved.");
        assertThat(answer.path("rule").asText()).isEqualTo("big-transfers");
        String approvalId = answer.path("approval_id").asText();
        assertThat(approvalId).isNotBlank();
        assertThat(answer.path("approval_url").asText()).isEqualTo("http://toolgate.test/api/pending-approvals/" + approvalId);

        assertThat(gateway.gateway().storage().approvals().find("default", approvalId)).hasValueSatisfying(approval -> {
            assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING);
            assertThat(approval.tool()).isEqualTo("wire_transfer");
            assertThat(approval.toolCallId()).isEqualTo("call_w1");
            assertThat(approval.agent()).isEqualTo("support-bot");
            assertThat(approval.ruleId()).isEqualTo("big-transfers");
            assertThat(approval.approverEmail()).isEqualTo("finance@example.com");
            assertThat(approval.arguments()).isEqualTo("{\"amount\":2500,\"to\":\"acme\"}");
            assertThat(approval.expiresAt()).isAfter(approval.createdAt());
        });
        AuditEvent event = audited(answer);
        assertThat(event.decision()).isEqualTo("pending");
        assertThat(event.approvalId()).isEqualTo(approvalId);
        assertThat(event.toolCallId()).isEqualTo("call_w1");
    }

    @Test
    void sameHeldCallAskedAgainGetsTheSameApproval() throws IOException {
        String first = decide("{\"tool_name\":\"wire_transfer\",\"arguments\":{\"to\":\"acme\",\"amount\":2500}}")
                .path("approval_id").asText();
        String second = decide("{\"tool_name\":\"wire_transfer\",\"arguments\":\"{\\\"amount\\\": 2500, \\\"to\\\": \\\"acme\\\"}\"}")
                .path("approval_id").asText();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void argumentsGivenAsAJsonStringAreDecidedLikeAnObject() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"/app/.env\\\"}\"}");

        assertThat(answer.path("decision").asText()).isEqualTo("warn");
        assertThat(audited(answer).arguments()).isEqualTo("{\"path\":\"/app/.env\"}");
    }

    @Test
    void argumentsStringThatIsNotJsonFailsClosed() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"read_file\",\"arguments\":\"path=/app/.env\"}");

        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("rule").asText()).isEqualTo("invalid-arguments");
        assertThat(audited(answer).arguments()).isEqualTo("path=/app/.env");
    }

    @Test
    void absentArgumentsAreAnEmptyObject() throws IOException {
        JsonNode answer = decide("{\"tool_name\":\"list_files\"}");

        assertThat(answer.path("allowed").asBoolean()).isTrue();
        assertThat(audited(answer).arguments()).isEqualTo("{}");
    }

    @Test
    void absentArgumentsFailClosedWhenARuleNeedsOne() throws IOException {
        // env-files reads args.path; a missing key is a CEL error, and on_error is block.
        JsonNode answer = decide("{\"tool_name\":\"read_file\",\"arguments\":null}");

        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.path("rule").asText()).isEqualTo("env-files");
        assertThat(answer.path("reason").asText()).contains("could not be evaluated");
    }

    @Test
    void everyDecisionIsAuditedAsComingFromIntercept() throws IOException {
        JsonNode allowed = decide("{\"tool_name\":\"read_file\",\"tool_call_id\":\"call_r\",\"model\":\"gpt-4o-mini\","
                + "\"arguments\":{\"path\":\"/srv/a.txt\"}}");
        JsonNode blocked = decide("{\"tool_name\":\"delete_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}");

        AuditEvent allowedEvent = audited(allowed);
        assertThat(allowedEvent.source()).isEqualTo("intercept");
        assertThat(allowedEvent.agent()).isEqualTo("support-bot");
        assertThat(allowedEvent.workspace()).isEqualTo("default");
        assertThat(allowedEvent.tool()).isEqualTo("read_file");
        assertThat(allowedEvent.toolCallId()).isEqualTo("call_r");
        assertThat(allowedEvent.model()).isEqualTo("gpt-4o-mini");
        assertThat(allowedEvent.decision()).isEqualTo("allowed");
        assertThat(allowedEvent.arguments()).isEqualTo("{\"path\":\"/srv/a.txt\"}");
        assertThat(allowedEvent.upstreamStatus()).isNull();
        assertThat(allowedEvent.policyVersion()).isEqualTo(allowed.path("policy_version").asText());

        AuditEvent blockedEvent = audited(blocked);
        assertThat(blockedEvent.source()).isEqualTo("intercept");
        assertThat(blockedEvent.decision()).isEqualTo("blocked");
        assertThat(blockedEvent.rules()).containsExactly("no-deletes");
        assertThat(blockedEvent.reasons()).containsExactly("no-deletes: Block all file deletions");
        assertThat(allAudited()).hasSize(2);
    }

    @Test
    void secretsAreRedactedInTheAuditLogButTheDecisionSeesThemRaw() throws IOException {
        gateway.close();
        // The rule can only match on the raw values: redacted ones no longer start with sk- or 4111.
        gateway = TestGateway.start(NO_UPSTREAM, TestGateway.STANDARD_RULES + """
                  - id: live-card-charges
                    description: Charging a real card with a live key is watched
                    tools: [charge_card]
                    when: "args.api_key.startsWith('sk-') && args.card.startsWith('4111')"
                    action: warn
                """, TestGateway.memoryStorage(), "");

        JsonNode answer = decide("{\"tool_name\":\"charge_card\",\"arguments\":{\"api_key\":\"sk-abcdefghijklmnopqrstuvwx\","
                + "\"card\":\"4111 1111 1111 1111\",\"memo\":\"key sk-abcdefghijklmnopqrstuvwx, card 4111-1111-1111-1111\","
                + "\"amount\":12.50}}");

        assertThat(answer.path("decision").asText()).isEqualTo("warn");
        assertThat(answer.at("/warnings/0/rule").asText()).isEqualTo("live-card-charges");
        AuditEvent event = audited(answer);
        assertThat(event.arguments()).doesNotContain("abcdefghijklmnopqrstuvwx").doesNotContain("1111");
        JsonNode stored = JSON.readTree(event.arguments());
        assertThat(stored.path("api_key").asText()).isEqualTo("[REDACTED]");
        assertThat(stored.path("card").asText()).isEqualTo("[REDACTED:card]");
        assertThat(stored.path("memo").asText()).isEqualTo("key [REDACTED:api_key], card [REDACTED:card]");
        assertThat(stored.path("amount").decimalValue()).isEqualByComparingTo("12.50");
    }

    @Test
    void missingToolNameIs400() throws IOException {
        try (Response response = intercept("{\"arguments\":{}}")) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(errorOf(response).path("code").asText()).isEqualTo("MISSING_FIELD");
        }
        assertThat(allAudited()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "tool_name is a number       | {\"tool_name\":42}",
            "tool_name is blank          | {\"tool_name\":\"  \"}",
            "arguments is an array       | {\"tool_name\":\"read_file\",\"arguments\":[\"/srv/a.txt\"]}",
            "arguments is a number       | {\"tool_name\":\"read_file\",\"arguments\":7}"})
    void invalidFieldsAre422(String what, String body) throws IOException {
        try (Response response = intercept(body)) {
            assertThat(response.code()).isEqualTo(422);
            assertThat(errorOf(response).path("code").asText()).isEqualTo("VALIDATION_FAILED");
        }
        assertThat(allAudited()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "cut off         | {\"tool_name\":",
            "not JSON        | tool_name=read_file",
            "trailing tokens | {\"tool_name\":\"read_file\"} {}",
            "not an object   | [\"read_file\"]"})
    void bodyThatIsNotOneJsonObjectIs400(String what, String body) throws IOException {
        try (Response response = intercept(body)) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(errorOf(response).path("code").asText()).isEqualTo("INVALID_JSON");
        }
    }

    @Test
    void bodyNotDeclaredAsJsonIs415() throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + "/api/intercept")
                .header("x-api-key", TestGateway.AGENT_KEY)
                .post(RequestBody.create("{\"tool_name\":\"read_file\"}", MediaType.get("text/plain")))
                .build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(415);
            JsonNode error = errorOf(response);
            assertThat(error.path("code").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
            assertThat(error.path("message").asText()).contains("text/plain");
        }
        assertThat(allAudited()).isEmpty();
    }

    @Test
    void jsonWithCharsetIsAccepted() throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + "/api/intercept")
                .header("x-api-key", TestGateway.AGENT_KEY)
                .post(RequestBody.create("{\"tool_name\":\"list_files\"}", MediaType.get("application/json; charset=utf-8")))
                .build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
    }

    @Test
    void noKeyIs401() throws IOException {
        try (Response response = gateway.post("/api/intercept", null, "{\"tool_name\":\"read_file\"}")) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(errorOf(response).path("code").asText()).isEqualTo("MISSING_API_KEY");
        }
        assertThat(allAudited()).isEmpty();
    }

    @Test
    void wrongKeyIs401() throws IOException {
        try (Response response = gateway.post("/api/intercept", "not-a-key", "{\"tool_name\":\"read_file\"}")) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(errorOf(response).path("code").asText()).isEqualTo("INVALID_API_KEY");
        }
        assertThat(allAudited()).isEmpty();
    }

    @Test
    void keyInTheQueryStringIsAccepted() throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + "/api/intercept?api_key=" + TestGateway.AGENT_KEY)
                .post(RequestBody.create("{\"tool_name\":\"list_files\"}", TestGateway.JSON))
                .build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(JSON.readTree(response.body().string()).path("allowed").asBoolean()).isTrue();
        }
        assertThat(allAudited()).singleElement().extracting(AuditEvent::agent).isEqualTo("support-bot");
    }

    @Test
    void keyInTheToolgateHeaderIsAccepted() throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + "/api/intercept")
                .header("x-toolgate-key", TestGateway.AGENT_KEY)
                .post(RequestBody.create("{\"tool_name\":\"list_files\"}", TestGateway.JSON))
                .build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(allAudited()).singleElement().extracting(AuditEvent::agent).isEqualTo("support-bot");
    }

    @Test
    void adminKeyMayAlsoAskAndIsAuditedUnderItsOwnName() throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.ADMIN_KEY, "{\"tool_name\":\"list_files\"}")) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(allAudited()).singleElement().extracting(AuditEvent::agent).isEqualTo("ops");
    }
}
