package dev.toolgate.proxy.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.ToolCall;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an agent is told about the decisions in one response: status, metadata block and headers. */
class DecisionSummaryTest {
    private static final String VERSION = "pv-1";
    private static final URI PUBLIC_URL = URI.create("https://toolgate.example.com");

    private static GatedCall allowed(String id, String tool) {
        return new GatedCall(new ToolCall(id, tool, "{}"),
                new Decision.Allowed(List.of(), List.of(new Finding("policy.default", "no rule matched; policy default is allow")),
                        0.0, VERSION), "d-" + id, null, null);
    }

    private static GatedCall warned(String id, String tool, String rule, String reason) {
        return new GatedCall(new ToolCall(id, tool, "{}"),
                new Decision.Warned(List.of(rule), List.of(new Finding(rule, reason)), 0.3, VERSION), "d-" + id, null, null);
    }

    private static GatedCall blocked(String id, String tool, String rule, String reason) {
        return new GatedCall(new ToolCall(id, tool, "{}"),
                new Decision.Blocked(List.of(rule), List.of(new Finding(rule, reason)), 1.0, VERSION), "d-" + id, null, null);
    }

    private static GatedCall pending(String id, String tool, String approvalId) {
        return new GatedCall(new ToolCall(id, tool, "{\"amount\":5000}"),
                new Decision.NeedsApproval(List.of("big-transfers"), List.of(new Finding("big-transfers", "Big transfers need approval")),
                        0.7, VERSION, "finance@example.com"), "d-" + id, approvalId, null);
    }

    private static DecisionSummary summary(GatedCall... calls) {
        return new DecisionSummary(List.of(calls), PUBLIC_URL);
    }

    private static HttpHeaders headers(DecisionSummary summary) {
        HttpHeaders headers = new DefaultHttpHeaders();
        summary.addHeaders(headers);
        return headers;
    }

    @Test
    void allAllowedIsAllowed() {
        DecisionSummary summary = summary(allowed("c1", "read_file"), warned("c2", "read_file", "env-files", "watched"));

        assertThat(summary.status()).isEqualTo("allowed");
        assertThat(summary.metadata().has("blocked")).isFalse();
    }

    @Test
    void someReleasedAndSomeNotIsPartial() {
        assertThat(summary(allowed("c1", "read_file"), blocked("c2", "delete_file", "no-deletes", "No deletes")).status())
                .isEqualTo("partial");
        assertThat(summary(pending("c1", "wire_transfer", "a1"), warned("c2", "read_file", "env-files", "watched")).status())
                .isEqualTo("partial");
    }

    @Test
    void allBlockedIsBlocked() {
        DecisionSummary summary = summary(blocked("c1", "delete_file", "no-deletes", "No deletes"),
                blocked("c2", "drop_database", "kill-switch", "on the list"));

        assertThat(summary.status()).isEqualTo("blocked");
        assertThat(summary.metadata().path("blocked").asBoolean()).isTrue();
    }

    @Test
    void heldAndBlockedWithNothingReleasedIsPendingApproval() {
        DecisionSummary summary = summary(blocked("c1", "delete_file", "no-deletes", "No deletes"), pending("c2", "wire_transfer", "a1"));

        assertThat(summary.status()).isEqualTo("pending_approval");
        assertThat(summary.metadata().has("blocked")).isFalse();
    }

    @Test
    void singleBlockedCallNamesToolRuleAndReason() {
        ObjectNode metadata = summary(blocked("c1", "delete_file", "no-deletes", "Block all file deletions")).metadata();

        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("blocked").asBoolean()).isTrue();
        assertThat(metadata.path("tool").asText()).isEqualTo("delete_file");
        assertThat(metadata.path("rule").asText()).isEqualTo("no-deletes");
        assertThat(metadata.path("reason").asText()).isEqualTo("Block all file deletions");
        assertThat(metadata.path("decision_id").asText()).isEqualTo("d-c1");
        assertThat(metadata.path("policy_version").asText()).isEqualTo(VERSION);
    }

    @Test
    void singlePendingCallCarriesItsApprovalId() {
        ObjectNode metadata = summary(pending("c1", "wire_transfer", "appr-1")).metadata();

        assertThat(metadata.path("status").asText()).isEqualTo("pending_approval");
        assertThat(metadata.path("approval_id").asText()).isEqualTo("appr-1");
        assertThat(metadata.path("tool").asText()).isEqualTo("wire_transfer");
        assertThat(metadata.path("rule").asText()).isEqualTo("big-transfers");
    }

    @Test
    void singleAllowedCallHasNoRuleOrReason() {
        ObjectNode metadata = summary(allowed("c1", "read_file")).metadata();

        assertThat(metadata.path("tool").asText()).isEqualTo("read_file");
        assertThat(metadata.has("rule")).isFalse();
        assertThat(metadata.has("reason")).isFalse();
        assertThat(metadata.has("warnings")).isFalse();
    }

    @Test
    void warningsAreListedWithTheirTool() {
        ObjectNode metadata = summary(warned("c1", "read_file", "env-files", "Reading .env files is watched")).metadata();

        assertThat(metadata.path("status").asText()).isEqualTo("allowed");
        assertThat(metadata.path("warnings")).hasSize(1);
        JsonNode warning = metadata.path("warnings").get(0);
        assertThat(warning.path("tool").asText()).isEqualTo("read_file");
        assertThat(warning.path("rule").asText()).isEqualTo("env-files");
        assertThat(warning.path("reason").asText()).isEqualTo("Reading .env files is watched");
    }

    @Test
    void callsListEveryCallInOrder() {
        ObjectNode metadata = summary(allowed("c1", "read_file"), blocked("c2", "delete_file", "no-deletes", "No deletes"),
                pending("c3", "wire_transfer", "appr-3")).metadata();

        assertThat(metadata.has("tool")).as("several calls: no single tool").isFalse();
        JsonNode calls = metadata.path("calls");
        assertThat(calls).hasSize(3);
        assertThat(calls).extracting(c -> c.path("id").asText()).containsExactly("c1", "c2", "c3");
        assertThat(calls).extracting(c -> c.path("tool").asText()).containsExactly("read_file", "delete_file", "wire_transfer");
        assertThat(calls).extracting(c -> c.path("decision").asText()).containsExactly("allowed", "blocked", "pending_approval");
        assertThat(calls.get(0).path("rule").asText()).isEqualTo("policy.default");
        assertThat(calls.get(1).path("rule").asText()).isEqualTo("no-deletes");
        assertThat(calls.get(2).path("approval_id").asText()).isEqualTo("appr-3");
        assertThat(calls.get(0).has("approval_id")).isFalse();
        assertThat(calls).extracting(c -> c.path("decision_id").asText()).containsExactly("d-c1", "d-c2", "d-c3");
    }

    @Test
    void headersNameTheStatusAndEveryDecision() {
        HttpHeaders headers = headers(summary(allowed("c1", "read_file"), blocked("c2", "delete_file", "no-deletes", "No deletes")));

        assertThat(headers.get("x-toolgate-decision")).isEqualTo("partial");
        assertThat(headers.get("x-toolgate-decision-id")).isEqualTo("d-c1,d-c2");
        assertThat(headers.contains("x-toolgate-warning")).isFalse();
        assertThat(headers.contains("x-toolgate-approval-url")).isFalse();
        assertThat(headers.contains("retry-after")).isFalse();
    }

    @Test
    void heldCallAddsTheApprovalUrlAndRetryAfter() {
        HttpHeaders headers = headers(summary(pending("c1", "wire_transfer", "appr-1")));

        assertThat(headers.get("x-toolgate-decision")).isEqualTo("pending_approval");
        assertThat(headers.get("x-toolgate-approval-url")).isEqualTo("https://toolgate.example.com/api/pending-approvals/appr-1");
        assertThat(headers.get("retry-after")).isEqualTo("30");
    }

    @Test
    void warningHeaderJoinsWarningsOnOneAsciiLine() {
        HttpHeaders headers = headers(summary(warned("c1", "read_file", "env-files", "Reading .env files is watched"),
                warned("c2", "send_money", "fx", "Transfers in £ or\nother currencies")));

        assertThat(headers.get("x-toolgate-decision")).isEqualTo("allowed");
        assertThat(headers.get("x-toolgate-warning"))
                .isEqualTo("env-files: Reading .env files is watched; fx: Transfers in ? or?other currencies");
    }

    @Test
    void approvalUrlDoesNotDoubleTheSlash() {
        DecisionSummary summary = new DecisionSummary(List.of(pending("c1", "wire_transfer", "a1")), URI.create("http://gw.local:8080/"));

        assertThat(summary.approvalUrl("a1")).isEqualTo("http://gw.local:8080/api/pending-approvals/a1");
    }

    @Test
    void replacementTextSaysBlockedOrHeld() {
        assertThat(DecisionSummary.replacementText(blocked("c1", "delete_file", "no-deletes", "x")))
                .isEqualTo("Tool 'delete_file' is blocked by governance policy.");
        assertThat(DecisionSummary.replacementText(pending("c1", "wire_transfer", "a1")))
                .isEqualTo("Tool requires human approval. Retry once approved.");
    }
}
