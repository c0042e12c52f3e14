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
 * @param risk the factors behind the decision's risk score; {@link RiskAssessment#NONE} before the gate scored it
 */
public record GatedCall(ToolCall call, Decision decision, String decisionId, String approvalId, String approvedBy,
                        RiskAssessment risk) {
    public GatedCall {
        risk = risk == null ? RiskAssessment.NONE : risk;
    }

    /** A call whose risk is not scored (yet). */
    public GatedCall(ToolCall call, Decision decision, String decisionId, String approvalId, String approvedBy) {
        this(call, decision, decisionId, approvalId, approvedBy, RiskAssessment.NONE);
    }

    /** This call with its risk scored: the decision carries the score, the call its factors. */
    public GatedCall scored(RiskAssessment assessed) {
        return new GatedCall(call, decision.withRiskScore(assessed.score()), decisionId, approvalId, approvedBy, assessed);
    }

    /** A call as the evaluator decided it, before any approval is looked at. */
    public static GatedCall decided(ToolCall call, Decision decision) {
        return new GatedCall(call, decision, EventIds.next(), null, null);
    }

    public GatedCall held(String approvalId) {
        return new GatedCall(call, decision, decisionId, approvalId, null, risk);
    }

    public GatedCall releasedOnApproval(Decision allowed, String approvalId, String approvedBy) {
        return new GatedCall(call, allowed, decisionId, approvalId, approvedBy, risk);
    }

    public GatedCall refused(Decision blocked, String approvalId) {
        return new GatedCall(call, blocked, decisionId, approvalId, null, risk);
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
