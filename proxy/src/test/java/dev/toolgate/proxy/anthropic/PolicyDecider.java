package dev.toolgate.proxy.anthropic;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The real evaluator behind a stream decider, answering at once; remembers what it was asked. */
final class PolicyDecider implements StreamCallDecider {
    static final CallContext CONTEXT = CallContext.of("default", "deploy-bot", "claude-sonnet-4-5-20250929");

    final PolicyEngine engine;
    final List<ToolCall> asked = new ArrayList<>();
    final List<String> assistantMessages = new ArrayList<>();
    /** Per call asked, whether its arguments were dropped over the limit. */
    final List<Boolean> argumentsDropped = new ArrayList<>();
    /** The limit a dropped call's decision names, as the gate's does. */
    private long argumentLimit = Long.MAX_VALUE;

    private PolicyDecider(PolicyEngine engine) {
        this.engine = engine;
    }

    /** Blocks {@code terraform apply} through run_shell, holds big wire transfers; everything else is allowed. */
    private static final PolicyEngine GOVERNED = governedEngine();

    static PolicyDecider governed() {
        return new PolicyDecider(GOVERNED);
    }

    private static PolicyEngine governedEngine() {
        try {
            return new PolicyEngine(RuleSet.compile(List.of(
                    new Rule("no-infra-apply", "No infrastructure changes from agents", List.of("run_shell"),
                            "args.command.matches('terraform\\\\s+apply')", Action.BLOCK, null),
                    new Rule("big-transfers", "Big transfers need approval", List.of("wire_transfer"),
                            "has(args.amount) && args.amount > 1000", Action.APPROVE, "finance@example.com")),
                    PolicyDefaults.STANDARD), Set.of());
        } catch (RuleCompileException e) {
            throw new IllegalStateException(e);
        }
    }

    static PolicyDecider allowingEverything() {
        return new PolicyDecider(new PolicyEngine(RuleSet.empty(PolicyDefaults.STANDARD), Set.of()));
    }

    /** Names {@code limit} in the decision on a call whose arguments were dropped, as the gate would. */
    PolicyDecider limitedTo(long limit) {
        this.argumentLimit = limit;
        return this;
    }

    String policyVersion() {
        return engine.ruleSet().version();
    }

    @Override
    public CompletableFuture<GatedCall> decide(ToolCall call, String assistantMessage, boolean dropped) {
        asked.add(call);
        assistantMessages.add(assistantMessage);
        argumentsDropped.add(dropped);
        Decision decision = dropped ? ToolCallGate.tooLarge(argumentLimit, policyVersion()) : engine.evaluate(call, CONTEXT);
        GatedCall gated = GatedCall.decided(call, decision);
        return CompletableFuture.completedFuture(decision instanceof Decision.NeedsApproval ? gated.held("appr-1") : gated);
    }
}
