package dev.toolgate.proxy.gate;

import dev.toolgate.policy.Decision;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.storage.EventIds;

/**
 * A tool call with its decision.
 *
 * @param decisionId the id of this decision's audit event
 * @param approvalId the approval holding, releasing or refusing the call, or null
 * @param approvedBy who approved the call, when it is released on an approval; else null
 */
public record GatedCall(ToolCall call, Decision decision, String decisionId, String approvalId, String approvedBy) {

    /** A call as the evaluator decided it, before any approval is looked at. */
    public static GatedCall decided(ToolCall call, Decision decision) {
        return new GatedCall(call, decision, EventIds.next(), null, null);
    }

    public GatedCall held(String approvalId) {
        return new GatedCall(call, decision, decisionId, approvalId, null);
    }

    public GatedCall releasedOnApproval(Decision allowed, String approvalId, String approvedBy) {
        return new GatedCall(call, allowed, decisionId, approvalId, approvedBy);
    }

    public GatedCall refused(Decision blocked, String approvalId) {
        return new GatedCall(call, blocked, decisionId, approvalId, null);
    }

    /** Still waiting for a person. */
    public boolean pending() {
        return decision instanceof Decision.NeedsApproval;
    }

    /** The status word used on the wire: allowed, blocked or pending_approval. */
    public String status() {
        if (decision.releases()) {
            return "allowed";
        }
        return pending() ? "pending_approval" : "blocked";
    }
}
