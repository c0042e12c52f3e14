package dev.toolgate.proxy.api;

import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Evaluation;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;

/**
 * What the gate would decide about a call, without deciding it: the live rules and the risk
 * score, no judge request, no approval, no audit event (the decision has no id).
 *
 * @param evaluation the exact rules' evaluation, which says which judged rules would be asked about
 * @param call the call with the rules' decision and its scored risk
 */
record DryRun(Evaluation evaluation, GatedCall call) {

    static DryRun of(ToolCallGate gate, ToolCall call, CallContext context) {
        Evaluation evaluation = gate.engine().evaluation(call, context);
        GatedCall undecided = new GatedCall(call, evaluation.decision(), null, null, null);
        return new DryRun(evaluation, undecided.scored(gate.riskScorer().assess(call, context, evaluation.decision())));
    }
}
