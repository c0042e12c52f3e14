package dev.toolgate.proxy.gate;

import dev.toolgate.policy.Decision;
import dev.toolgate.policy.ToolCall;

/**
 * A tool call with its decision, durably recorded.
 *
 * @param decisionId the audit event id of this decision
 * @param approvalId the pending approval holding the call, or null
 */
public record GatedCall(ToolCall call, Decision decision, String decisionId, String approvalId) {

    /** The status word used on the wire: allowed, blocked or pending_approval. */
    public String status() {
        if (decision.releases()) {
            return "allowed";
        }
        return decision instanceof Decision.NeedsApproval ? "pending_approval" : "blocked";
    }
}
