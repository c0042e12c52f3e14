package dev.toolgate.proxy.gate;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.storage.RuleStore;
import dev.toolgate.storage.StoredRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The rules in force for each workspace: the ones from {@code toolgate.yaml}, plus the ones the
 * workspace created through {@code /api/approval-rules}, compiled together into one rule set (a new
 * policy version) whenever either changes. Methods that touch the store block.
 */
public final class RuleBook {
    /** The file's rules and defaults; replaced by a reload, under this object's lock. */
    private volatile List<Rule> configured;
    private volatile PolicyDefaults defaults;
    private final RuleStore store;
    private final PolicyEngine engine;
    /** Each workspace's stored rules as last compiled into the evaluator. */
    private final Map<String, List<StoredRule>> loaded = new HashMap<>();

    public RuleBook(List<Rule> configured, PolicyDefaults defaults, RuleStore store, PolicyEngine engine) {
        this.configured = List.copyOf(configured);
        this.defaults = defaults;
        this.store = store;
        this.engine = engine;
    }

    /**
     * Reads the store and loads what it holds ({@link #load}), under the same lock as {@link #add}
     * and {@link #remove}: a list read outside it could predate a rule added meanwhile, and loading
     * it would drop that rule until the next change.
     */
    public synchronized void reload() {
        load(store.all());
    }

    /**
     * Makes the evaluator's rules those of {@code stored} ({@link RuleStore#all()}): at startup, and
     * whenever another instance changed them. Only workspaces whose stored rules differ from what was
     * loaded last are compiled again; a workspace missing from it goes back to the file's rules.
     */
    public synchronized void load(List<StoredRule> stored) {
        Map<String, List<StoredRule>> byWorkspace = stored.stream().collect(Collectors.groupingBy(StoredRule::workspace));
        for (String workspace : engine.workspacesWithOwnRules()) {
            if (!byWorkspace.containsKey(workspace)) {
                engine.replaceWorkspaceRules(workspace, null);
                loaded.remove(workspace);
            }
        }
        byWorkspace.forEach((workspace, rules) -> {
            if (!rules.equals(loaded.get(workspace))) {
                engine.replaceWorkspaceRules(workspace, compileOrFail(workspace, rules));
                loaded.put(workspace, List.copyOf(rules));
            }
        });
    }

    /**
     * The rules of a reloaded {@code toolgate.yaml} ({@code fileRules} compiled from {@code configured}
     * and {@code defaults}). Every workspace's stored rules are compiled with them first: when one
     * no longer compiles (a file rule now uses a stored rule's id) nothing changes and the reason is
     * thrown, so the previous rules stay in force.
     */
    public synchronized void reconfigure(List<Rule> configured, PolicyDefaults defaults, RuleSet fileRules)
            throws RuleCompileException {
        Map<String, RuleSet> workspaces = new HashMap<>();
        for (Map.Entry<String, List<StoredRule>> entry : loaded.entrySet()) {
            workspaces.put(entry.getKey(), compile(configured, defaults, entry.getValue()));
        }
        this.configured = List.copyOf(configured);
        this.defaults = defaults;
        engine.replaceRules(fileRules);
        workspaces.forEach(engine::replaceWorkspaceRules);
    }

    public PolicyDefaults defaults() {
        return defaults;
    }

    public List<Rule> configured() {
        return configured;
    }

    public List<StoredRule> stored(String workspace) {
        return store.list(workspace);
    }

    /** A rule of the workspace's, by id, wherever it was defined. */
    public Optional<Rule> find(String workspace, String id) {
        return engine.ruleSetFor(workspace).rules().stream().filter(rule -> rule.id().equals(id)).findFirst();
    }

    /**
     * Adds a rule: compiled with the rest first, so a rule that does not compile, or clashes with
     * an existing id, is refused before anything is stored. Changes are serialised: each compiles
     * from what the store holds, so two at once would otherwise each install a set without the other.
     */
    public synchronized void add(StoredRule rule) throws RuleCompileException {
        replace(rule, null);
    }

    /**
     * Adds {@code rule} in place of the workspace's stored rule {@code replaced} (an exact rule
     * adopted for a judged one), or beside the others when {@code replaced} is null. Returns false,
     * changing nothing, when there is no stored rule {@code replaced}.
     */
    public synchronized boolean replace(StoredRule rule, String replaced) throws RuleCompileException {
        List<StoredRule> next = new ArrayList<>(store.list(rule.workspace()));
        if (replaced != null && !next.removeIf(stored -> stored.id().equals(replaced))) {
            return false;
        }
        next.add(rule);
        RuleSet compiled = compile(next);
        store.create(rule);
        if (replaced != null) {
            store.delete(rule.workspace(), replaced);
        }
        engine.replaceWorkspaceRules(rule.workspace(), compiled);
        loaded.put(rule.workspace(), List.copyOf(next));
        return true;
    }

    /**
     * Makes {@code stored} the workspace's whole set of API rules (an imported policy version):
     * compiled with the file's rules first, so a set that does not compile changes nothing.
     * Returns the rule set now in force.
     */
    public synchronized RuleSet replaceAll(String workspace, List<StoredRule> stored) throws RuleCompileException {
        RuleSet compiled = compile(stored);
        store.replaceAll(workspace, stored);
        engine.replaceWorkspaceRules(workspace, stored.isEmpty() ? null : compiled);
        if (stored.isEmpty()) {
            loaded.remove(workspace);
        } else {
            loaded.put(workspace, List.copyOf(stored));
        }
        return compiled;
    }

    /** The rules in force for the workspace: the file's, then its API rules. */
    public RuleSet ruleSet(String workspace) {
        return engine.ruleSetFor(workspace);
    }

    /** What the workspace's rules would be with {@code stored} as its API rules; changes nothing. */
    public RuleSet compileWith(List<StoredRule> stored) throws RuleCompileException {
        return compile(stored);
    }

    public synchronized boolean remove(String workspace, String id) {
        boolean removed = store.delete(workspace, id);
        if (removed) {
            List<StoredRule> rest = store.list(workspace);
            engine.replaceWorkspaceRules(workspace, rest.isEmpty() ? null : compileOrFail(workspace, rest));
            if (rest.isEmpty()) {
                loaded.remove(workspace);
            } else {
                loaded.put(workspace, List.copyOf(rest));
            }
        }
        return removed;
    }

    public static Rule toRule(StoredRule stored) {
        if (stored.judged()) {
            return new Rule(stored.id(), "", stored.tools(), stored.when(), Action.parse(stored.action()), stored.approverEmail(),
                    stored.ruleText());
        }
        return new Rule(stored.id(), stored.ruleText(), stored.tools(), stored.when(), Action.parse(stored.action()),
                stored.approverEmail());
    }

    private RuleSet compile(List<StoredRule> stored) throws RuleCompileException {
        return compile(configured, defaults, stored);
    }

    private static RuleSet compile(List<Rule> configured, PolicyDefaults defaults, List<StoredRule> stored)
            throws RuleCompileException {
        List<Rule> all = new ArrayList<>(configured);
        stored.stream().map(RuleBook::toRule).forEach(all::add);
        return RuleSet.compile(all, defaults);
    }

    /** Stored rules compiled when they were added; failing now means the config file changed under them. */
    private RuleSet compileOrFail(String workspace, List<StoredRule> rules) {
        try {
            return compile(rules);
        } catch (RuleCompileException e) {
            throw new IllegalStateException("approval rule '" + e.ruleId() + "' of workspace '" + workspace
                    + "' no longer compiles with toolgate.yaml (" + e.getMessage() + "); delete it through the API or rename the clashing rule", e);
        }
    }
}
