package dev.toolgate.proxy.fuzz;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.stream.StreamCallDecider;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The real evaluator behind the fuzzed rewriters, answering at once: {@value #BLOCKED} is always
 * blocked, big wire transfers are held for approval, {@code .env} reads are warned about, and
 * CEL runs on whatever arguments the fuzzer made up.
 */
final class GovernedDecider implements StreamCallDecider {
    /** The tool whose calls must never reach the client. */
    static final String BLOCKED = "delete_file";
    static final String POLICY_VERSION = "fuzz";
    static final CallContext CONTEXT = CallContext.of("default", "fuzz-agent", "fuzz-model");
    private static final PolicyEngine ENGINE = engine();

    @Override
    public CompletableFuture<GatedCall> decide(ToolCall call, String assistantMessage, boolean argumentsDropped) {
        return CompletableFuture.completedFuture(argumentsDropped
                ? new GatedCall(call, ToolCallGate.tooLarge(RelayRun.MAX_ARGUMENT_BYTES, POLICY_VERSION), "decision-1", null, null)
                : gated(call));
    }

    /** As the gate decides a call: ids are fixed, so that runs compare. */
    static GatedCall gated(ToolCall call) {
        Decision decision = ENGINE.evaluate(call, CONTEXT);
        GatedCall gated = new GatedCall(call, decision, "decision-1", null, null);
        return gated.pending() ? gated.held("approval-1") : gated;
    }

    private static PolicyEngine engine() {
        try {
            return new PolicyEngine(RuleSet.compile(List.of(
                    new Rule("no-deletes", "Block all file deletions", List.of(BLOCKED), null, Action.BLOCK, null),
                    new Rule("big-transfers", "Wire transfers over 1000 need approval", List.of("wire_transfer"),
                            "has(args.amount) && args.amount > 1000", Action.APPROVE, "finance@example.com"),
                    new Rule("env-files", "Reading .env files is flagged", List.of("read_file"),
                            "has(args.path) && args.path.endsWith('.env')", Action.WARN, null)),
                    PolicyDefaults.STANDARD), Set.of());
        } catch (RuleCompileException e) {
            throw new IllegalStateException(e);
        }
    }
}
