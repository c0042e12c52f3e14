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
    /** A workspace with rules of its own (created through the API) has its own compiled set. */
    private final Map<String, RuleSet> workspaceRuleSets = new ConcurrentHashMap<>();
    private volatile Set<String> blockedTools;
    private final Map<String, Set<String>> workspaceBlockedTools = new ConcurrentHashMap<>();
    /** Global plus workspace list, precomputed so evaluation does no set arithmetic. */
    private final Map<String, Set<String>> effectiveBlockedTools = new ConcurrentHashMap<>();

    public PolicyEngine(RuleSet ruleSet, Set<String> blockedTools) {
        this.ruleSet = Objects.requireNonNull(ruleSet, "ruleSet");
        this.blockedTools = Set.copyOf(blockedTools);
    }

    public Decision evaluate(ToolCall call, CallContext context) {
        return ruleSetFor(context.workspace()).evaluate(call, context, blockedFor(context.workspace()));
    }

    /** The exact rules' decision and the judged rules a model must still rule on (see {@link Evaluation}). */
    public Evaluation evaluation(ToolCall call, CallContext context) {
        return ruleSetFor(context.workspace()).evaluation(call, context, blockedFor(context.workspace()));
    }

    /** Whether {@code workspace} blocks every call of this tool whatever its arguments (see {@link RuleSet#blocksEveryCall}). */
    public boolean blocksEveryCall(String workspace, String name, String alias) {
        return ruleSetFor(workspace).blocksEveryCall(name, alias, blockedFor(workspace));
    }

    /** The rule set every workspace without rules of its own uses. */
    public RuleSet ruleSet() {
        return ruleSet;
    }

    public RuleSet ruleSetFor(String workspace) {
        return workspaceRuleSets.getOrDefault(workspace, ruleSet);
    }

    /** Gives a workspace its own rule set; null returns it to the shared one. */
    public void replaceWorkspaceRules(String workspace, RuleSet next) {
        if (next == null) {
            workspaceRuleSets.remove(workspace);
        } else {
            workspaceRuleSets.put(workspace, next);
        }
    }

    /** The workspaces that have a rule set of their own. */
    public Set<String> workspacesWithOwnRules() {
        return Set.copyOf(workspaceRuleSets.keySet());
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

    /** The workspaces that have a kill-switch list of their own. */
    public synchronized Set<String> workspacesWithOwnBlockedTools() {
        return Set.copyOf(workspaceBlockedTools.keySet());
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
