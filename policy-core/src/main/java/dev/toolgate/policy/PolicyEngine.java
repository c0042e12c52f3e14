package dev.toolgate.policy;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one evaluator every entry point calls. Holds the active rule set and the kill-switch lists
 * (one from the config file for every workspace, one per workspace managed through the API);
 * each is swapped atomically when an operator changes it. Evaluation is pure and synchronous.
 */
public final class PolicyEngine {
    private volatile RuleSet ruleSet;
    private volatile Set<String> blockedTools;
    private final Map<String, Set<String>> workspaceBlockedTools = new ConcurrentHashMap<>();
    /** Global plus workspace list, precomputed so evaluation does no set arithmetic. */
    private final Map<String, Set<String>> effectiveBlockedTools = new ConcurrentHashMap<>();

    public PolicyEngine(RuleSet ruleSet, Set<String> blockedTools) {
        this.ruleSet = Objects.requireNonNull(ruleSet, "ruleSet");
        this.blockedTools = Set.copyOf(blockedTools);
    }

    public Decision evaluate(ToolCall call, CallContext context) {
        return ruleSet.evaluate(call, context, blockedFor(context.workspace()));
    }

    public RuleSet ruleSet() {
        return ruleSet;
    }

    public void replaceRules(RuleSet next) {
        this.ruleSet = Objects.requireNonNull(next, "next");
    }

    /** The kill-switch list that applies to every workspace. */
    public Set<String> blockedTools() {
        return blockedTools;
    }

    public synchronized void replaceBlockedTools(Set<String> next) {
        this.blockedTools = Set.copyOf(next);
        effectiveBlockedTools.clear();
    }

    /** Replaces one workspace's own kill-switch list. */
    public synchronized void replaceWorkspaceBlockedTools(String workspace, Set<String> next) {
        workspaceBlockedTools.put(workspace, Set.copyOf(next));
        effectiveBlockedTools.remove(workspace);
    }

    /** Every tool blocked for {@code workspace}: the global list and its own. */
    public Set<String> blockedFor(String workspace) {
        Set<String> effective = effectiveBlockedTools.get(workspace);
        if (effective != null) {
            return effective;
        }
        synchronized (this) {
            Set<String> own = workspaceBlockedTools.getOrDefault(workspace, Set.of());
            Set<String> union = new HashSet<>(blockedTools);
            union.addAll(own);
            effective = Set.copyOf(union);
            effectiveBlockedTools.put(workspace, effective);
            return effective;
        }
    }
}
