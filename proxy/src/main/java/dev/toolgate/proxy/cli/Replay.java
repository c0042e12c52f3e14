package dev.toolgate.proxy.cli;

import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Evaluation;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.AuditQuery;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Re-decides audited calls under a candidate policy and compares each new outcome with the one the
 * policy gave then. A call held for approval counts as pending then, whatever its approver decided:
 * that is what the policy said. Reads the audit newest first, in batches, so any length fits.
 */
final class Replay {
    static final int BATCH = 500;
    /** How {@code ToolCallGate} marks arguments it cut short before auditing them. */
    private static final String TRUNCATION_MARK = "…[truncated ";

    private final OfflineDecider decider;

    Replay(OfflineDecider decider) {
        this.decider = decider;
    }

    /** Every event of {@code workspaces} at or after {@code since} goes into {@code report}; {@code progress} counts them. */
    void run(AuditLog auditLog, List<String> workspaces, Instant since, ReplayReport report, ProgressBar progress) {
        for (String workspace : workspaces) {
            AuditQuery filters = AuditQuery.of(workspace).withSince(since);
            long before = Long.MAX_VALUE;
            List<AuditEvent> batch;
            do {
                batch = auditLog.queryBefore(filters, before, BATCH);
                batch.forEach(event -> replay(event, report));
                progress.advance(batch.size());
                if (!batch.isEmpty()) {
                    before = batch.get(batch.size() - 1).id();
                }
            } while (batch.size() == BATCH);
        }
    }

    private void replay(AuditEvent event, ReplayReport report) {
        String then = policyOutcome(event);
        if (then == null) {
            report.approverDecision();
            return;
        }
        if (event.arguments().contains(TRUNCATION_MARK)
                || event.reasons().stream().anyMatch(reason -> reason.startsWith(ToolCallGate.OVERSIZED_ARGUMENTS_RULE + ":"))) {
            report.cutShort();
            return;
        }
        Evaluation now = decider.evaluate(callOf(event), contextOf(event));
        if (!now.toJudge().isEmpty()) {
            report.needsJudge(now.toJudge());
        } else if (ToolCallGate.auditDecision(now.decision()).equals(then)) {
            report.unchanged();
        } else {
            report.changed(then, event, now.decision());
        }
    }

    /**
     * The policy's outcome in the audit's words (allowed, warned, blocked, pending): an event of a
     * held call, released or refused on its approval, counts as pending. Null for the approver's own
     * events (approved, denied, expired), which no policy decided.
     */
    static String policyOutcome(AuditEvent event) {
        return switch (event.decision()) {
            case "allowed", "warned", "blocked", "pending" -> event.approvalId() != null ? "pending" : event.decision();
            default -> null;
        };
    }

    /** An MCP call is named {@code server.tool} and known by its bare name too, as the gateway names it. */
    private static ToolCall callOf(AuditEvent event) {
        int dot = event.tool().indexOf('.');
        String alias = "mcp".equals(event.source()) && dot > 0 ? event.tool().substring(dot + 1) : null;
        return new ToolCall(event.toolCallId(), event.tool(), event.arguments(), alias);
    }

    /** What rules see: the audit keeps who, which model and the entry point, not the request path. */
    private static CallContext contextOf(AuditEvent event) {
        return new CallContext(event.workspace(), event.agent(), event.model(), Map.of("source", event.source()));
    }
}
