package dev.toolgate.policy;

import java.util.Objects;
import java.util.Set;

/**
 * The one evaluator every entry point calls. Holds the active rule set and the kill-switch list;
 * both are swapped atomically when an operator changes them, and evaluation is pure and
 * synchronous (cheap enough for an event loop).
 */
public final class PolicyEngine {
    private volatile RuleSet ruleSet;
    private volatile Set<String> blockedTools;

    public PolicyEngine(RuleSet ruleSet, Set<String> blockedTools) {
        this.ruleSet = Objects.requireNonNull(ruleSet, "ruleSet");
        this.blockedTools = Set.copyOf(blockedTools);
    }

    public Decision evaluate(ToolCall call, CallContext context) {
        return ruleSet.evaluate(call, context, blockedTools);
    }

    public RuleSet ruleSet() {
        return ruleSet;
    }

    public void replaceRules(RuleSet next) {
        this.ruleSet = Objects.requireNonNull(next, "next");
    }

    public Set<String> blockedTools() {
        return blockedTools;
    }

    public void replaceBlockedTools(Set<String> next) {
        this.blockedTools = Set.copyOf(next);
    }
}
