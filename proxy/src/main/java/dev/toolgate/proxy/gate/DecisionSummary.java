package dev.toolgate.proxy.gate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.Judgement;
import dev.toolgate.policy.Verdict;
import dev.toolgate.proxy.server.Json;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the agent is told about the decisions in one response, the same for every wire format:
 * the metadata block ({@code _toolgate}), the {@code x-toolgate-*} headers, and the sentence that
 * stands in for a call that was removed.
 */
public final class DecisionSummary {
    public static final String BLOCKED_MESSAGE = "Tool '%s' is blocked by governance policy.";
    public static final String PENDING_MESSAGE = "Tool requires human approval. Retry once approved.";
    /** Seconds an agent should wait before retrying a held call. */
    static final int RETRY_AFTER_SECONDS = 30;

    private final List<GatedCall> calls;
    private final URI publicUrl;

    public DecisionSummary(List<GatedCall> calls, URI publicUrl) {
        this.calls = List.copyOf(calls);
        this.publicUrl = publicUrl;
    }

    /** allowed, blocked or pending_approval when all calls agree; partial when some were released and some not. */
    public String status() {
        boolean anyReleased = calls.stream().anyMatch(c -> c.decision().releases());
        boolean allReleased = calls.stream().allMatch(c -> c.decision().releases());
        if (allReleased) {
            return "allowed";
        }
        if (anyReleased) {
            return "partial";
        }
        return calls.stream().anyMatch(GatedCall::pending) ? "pending_approval" : "blocked";
    }

    /** The sentence that replaces a call the agent may not run. */
    public static String replacementText(GatedCall call) {
        return call.pending() ? PENDING_MESSAGE : String.format(BLOCKED_MESSAGE, call.call().name());
    }

    public ObjectNode metadata() {
        ObjectNode block = Json.object();
        String status = status();
        block.put("status", status);
        if (status.equals("blocked")) {
            block.put("blocked", true);
        }
        if (calls.size() == 1) {
            GatedCall only = calls.get(0);
            block.put("tool", only.call().name());
            block.put("decision_id", only.decisionId());
            if (!only.decision().releases()) {
                block.put("rule", only.decision().decidingRule());
                block.put("reason", firstReason(only.decision()));
            }
            if (only.approvalId() != null) {
                block.put("approval_id", only.approvalId());
            }
            if (only.approvedBy() != null) {
                block.put("approved_by", only.approvedBy());
            }
            if (only.decision().judgement() != null) {
                block.set("judge", judgement(only.decision().judgement()));
            }
        }
        ArrayNode warnings = warnings();
        if (!warnings.isEmpty()) {
            block.set("warnings", warnings);
        }
        block.put("policy_version", calls.get(0).decision().policyVersion());
        ArrayNode list = block.putArray("calls");
        for (GatedCall call : calls) {
            ObjectNode entry = list.addObject();
            entry.put("id", call.call().id());
            entry.put("tool", call.call().name());
            entry.put("decision", call.status());
            entry.put("rule", call.decision().decidingRule());
            entry.put("reason", firstReason(call.decision()));
            entry.put("risk_score", call.decision().riskScore());
            entry.put("decision_id", call.decisionId());
            if (call.approvalId() != null) {
                entry.put("approval_id", call.approvalId());
            }
            if (call.approvedBy() != null) {
                entry.put("approved_by", call.approvedBy());
            }
            if (call.decision().judgement() != null) {
                entry.set("judge", judgement(call.decision().judgement()));
            }
        }
        return block;
    }

    public void addHeaders(HttpHeaders headers) {
        headers.set("x-toolgate-decision", status());
        headers.set("x-toolgate-decision-id", calls.stream().map(GatedCall::decisionId).collect(Collectors.joining(",")));
        String warnings = calls.stream()
                .filter(c -> c.decision() instanceof Decision.Warned)
                .flatMap(c -> c.decision().reasons().stream())
                .map(f -> f.ruleId() + ": " + f.message())
                .collect(Collectors.joining("; "));
        if (!warnings.isEmpty()) {
            // Header values must stay on one line and in ASCII.
            headers.set("x-toolgate-warning", warnings.replaceAll("[^\\x20-\\x7E]", "?"));
        }
        calls.stream().filter(GatedCall::pending).findFirst().ifPresent(held -> {
            headers.set("x-toolgate-approval-url", approvalUrl(held.approvalId()));
            headers.set("retry-after", RETRY_AFTER_SECONDS);
        });
    }

    public String approvalUrl(String approvalId) {
        String base = publicUrl.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/pending-approvals/" + approvalId;
    }

    /** That a model judged the call: its name and each verdict, or why it gave none. */
    private static ObjectNode judgement(Judgement judgement) {
        ObjectNode json = Json.object();
        json.put("model", judgement.model());
        if (judgement.failed()) {
            json.put("error", judgement.error());
        }
        ArrayNode verdicts = json.putArray("verdicts");
        for (Verdict verdict : judgement.verdicts()) {
            verdicts.addObject().put("rule", verdict.ruleId()).put("applies", verdict.applies()).put("reason", verdict.reason());
        }
        return json;
    }

    private ArrayNode warnings() {
        ArrayNode warnings = Json.MAPPER.createArrayNode();
        for (GatedCall call : calls) {
            if (call.decision() instanceof Decision.Warned) {
                for (Finding finding : call.decision().reasons()) {
                    ObjectNode warning = warnings.addObject();
                    warning.put("tool", call.call().name());
                    warning.put("rule", finding.ruleId());
                    warning.put("reason", finding.message());
                }
            }
        }
        return warnings;
    }

    private static String firstReason(Decision decision) {
        return decision.reasons().isEmpty() ? null : decision.reasons().get(0).message();
    }
}
