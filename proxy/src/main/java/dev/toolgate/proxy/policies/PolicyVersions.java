package dev.toolgate.proxy.policies;

import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigProblem;
import dev.toolgate.config.ManifestLoader;
import dev.toolgate.config.PolicyConfig;
import dev.toolgate.config.PolicyManifest;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.storage.BlockedTool;
import dev.toolgate.storage.PolicyVersion;
import dev.toolgate.storage.PolicyVersionStore;
import dev.toolgate.storage.StoredRule;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Policies as code for one gateway: exports a workspace's rules in force as a manifest, and imports
 * manifests as stored versions, applied at once or kept as drafts.
 *
 * <p>How an imported manifest relates to {@code toolgate.yaml}: the file's rules always stay in
 * force, ahead of any manifest's, and reload as before. A manifest rule with a file rule's id must
 * equal it (it is the exported copy); every other manifest rule becomes one of the workspace's API
 * rules, the applied version replacing them all (so they are approve/block rules without a budget,
 * what {@code /api/approval-rules} can hold). {@code policy.default} and {@code on_error} are the
 * file's and must match; {@code policy.blocked_tools} beyond the file's become the workspace's
 * kill switch. Applied rules go through the rule and kill-switch stores, whose change feed every
 * instance on the database follows. All methods block.
 */
public final class PolicyVersions {
    /** The "file" a manifest's problems are reported in. */
    public static final String MANIFEST = "manifest";

    private final RuleBook rules;
    private final KillSwitch killSwitch;
    private final PolicyVersionStore versions;
    private final Clock clock;

    public PolicyVersions(RuleBook rules, KillSwitch killSwitch, PolicyVersionStore versions, Clock clock) {
        this.rules = rules;
        this.killSwitch = killSwitch;
        this.versions = versions;
        this.clock = clock;
    }

    /** What applying a manifest would do: the API rules and kill switch it leaves, the rules in force, the diff. */
    public record Plan(PolicyManifest manifest, List<StoredRule> apiRules, Set<String> blockedTools, RuleSet result, PolicyDiff diff) {
    }

    /** Applying a version that is not a draft: {@link #restore} applies an applied version again. */
    public static final class AlreadyApplied extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AlreadyApplied(String message) {
            super(message);
        }
    }

    /** A stored version and what applying it changed (or, for a draft, would change). */
    public record Outcome(PolicyVersion version, PolicyDiff diff) {
    }

    /** The workspace's rules in force and its kill switch, as one manifest. */
    public PolicyManifest active(String workspace) {
        PolicyDefaults defaults = rules.defaults();
        Set<String> blocked = new LinkedHashSet<>(killSwitch.configured().stream().sorted().toList());
        killSwitch.list(workspace).stream().map(BlockedTool::tool).forEach(blocked::add);
        return new PolicyManifest(new PolicyConfig(defaults.defaultAction(), defaults.onError(), List.copyOf(blocked)),
                rules.ruleSet(workspace).rules());
    }

    /** The policy version hash of the workspace's rules in force. */
    public String activeVersion(String workspace) {
        return rules.ruleSet(workspace).version();
    }

    /** Reads and checks {@code text} against this gateway's file, and works out what applying it would change. */
    public Plan plan(String workspace, String text, String by) throws ManifestRejected {
        PolicyManifest manifest;
        try {
            manifest = ManifestLoader.read(text, MANIFEST);
        } catch (ConfigException e) {
            throw new ManifestRejected(e.problems());
        }
        return plan(workspace, manifest, text.lines().toList(), by);
    }

    private Plan plan(String workspace, PolicyManifest manifest, List<String> lines, String by) throws ManifestRejected {
        List<ConfigProblem> problems = new ArrayList<>();
        PolicyDefaults defaults = rules.defaults();
        if (manifest.policy().defaultAction() != defaults.defaultAction()) {
            problems.add(unlocated("policy.default", manifest.policy().defaultAction().wireName() + " (expected: "
                    + defaults.defaultAction().wireName() + ", toolgate.yaml's; change it there)"));
        }
        if (manifest.policy().onError() != defaults.onError()) {
            problems.add(unlocated("policy.on_error", manifest.policy().onError().wireName() + " (expected: "
                    + defaults.onError().wireName() + ", toolgate.yaml's; change it there)"));
        }
        Map<String, Rule> fileRules = rules.configured().stream().collect(Collectors.toMap(Rule::id, Function.identity()));
        Instant now = clock.instant();
        List<StoredRule> apiRules = new ArrayList<>();
        for (int i = 0; i < manifest.rules().size(); i++) {
            Rule rule = manifest.rules().get(i);
            String path = "rules[" + i + "]";
            Rule fileRule = fileRules.get(rule.id());
            if (fileRule != null) {
                List<String> differs = PolicyDiff.changedFields(fileRule, rule);
                if (!differs.isEmpty()) {
                    problems.add(at(rule, lines, path, "rule '" + rule.id() + "' is defined in toolgate.yaml (" + fileRule.location()
                            + ") and differs in " + String.join(", ", differs) + "; change it there or use another id"));
                }
            } else if (rule.budget() != null || (rule.action() != Action.APPROVE && rule.action() != Action.BLOCK)) {
                problems.add(at(rule, lines, path, "rule '" + rule.id() + "': an imported rule is approve or block without a budget"
                        + " (expected: put allow, warn and budget rules in toolgate.yaml)"));
            } else {
                // Stored oldest first: one millisecond apart keeps the manifest's order, and so the policy version.
                apiRules.add(new StoredRule(rule.id(), workspace, rule.judged() ? rule.text() : rule.description(),
                        rule.action().wireName(), rule.approverEmail(), rule.tools(), rule.when(), rule.judged(),
                        now.plusMillis(i), by));
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestRejected(problems);
        }
        RuleSet result;
        try {
            result = rules.compileWith(apiRules);
        } catch (RuleCompileException e) {
            throw new ManifestRejected(List.of(unlocated("rules", "rule '" + e.ruleId() + "' " + e.field() + ": " + e.getMessage())));
        }
        Set<String> blocked = new LinkedHashSet<>(manifest.policy().blockedTools());
        blocked.removeAll(killSwitch.configured());
        return new Plan(manifest, apiRules, blocked, result, PolicyDiff.between(rules.ruleSet(workspace).rules(), result.rules()));
    }

    /** Stores the manifest as a new version, applied unless {@code draft}. */
    public Outcome importManifest(String workspace, Plan plan, boolean draft, String by) throws ManifestRejected {
        return store(workspace, plan, draft, null, by);
    }

    /** Applies a draft; empty when the workspace has no such version, refused when it is not a draft. */
    public Optional<Outcome> applyDraft(String workspace, String id, String by) throws ManifestRejected {
        Optional<PolicyVersion> found = versions.find(workspace, id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (!found.get().draft()) {
            throw new AlreadyApplied("policy version " + id + " is already applied; restore it to apply it again");
        }
        Plan plan = plan(workspace, found.get().manifest(), by);
        apply(workspace, plan, by);
        versions.markApplied(workspace, id, clock.instant(), by);
        return Optional.of(new Outcome(versions.find(workspace, id).orElseThrow(), plan.diff()));
    }

    /** Applies an older version again, as a new version; empty when the workspace has no such version. */
    public Optional<Outcome> restore(String workspace, String id, String by) throws ManifestRejected {
        Optional<PolicyVersion> found = versions.find(workspace, id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(store(workspace, plan(workspace, found.get().manifest(), by), false, id, by));
    }

    public List<PolicyVersion> list(String workspace) {
        return versions.list(workspace);
    }

    public Optional<PolicyVersion> find(String workspace, String id) {
        return versions.find(workspace, id);
    }

    private Outcome store(String workspace, Plan plan, boolean draft, String restoredFrom, String by) throws ManifestRejected {
        if (!draft) {
            apply(workspace, plan, by);
        }
        Instant now = clock.instant();
        PolicyVersion version = versions.create("pv-" + UUID.randomUUID().toString().substring(0, 12), workspace,
                ManifestWriter.yaml(plan.manifest()), plan.result().version(), restoredFrom, now, by, draft ? null : now);
        return new Outcome(version, plan.diff());
    }

    private synchronized void apply(String workspace, Plan plan, String by) throws ManifestRejected {
        try {
            rules.replaceAll(workspace, plan.apiRules());
        } catch (RuleCompileException e) {
            // The file was reloaded since the plan: nothing changed.
            throw new ManifestRejected(List.of(unlocated("rules", "rule '" + e.ruleId() + "' " + e.field() + ": " + e.getMessage())));
        }
        Set<String> current = killSwitch.list(workspace).stream().map(BlockedTool::tool).collect(Collectors.toSet());
        current.stream().filter(tool -> !plan.blockedTools().contains(tool)).forEach(tool -> killSwitch.unblock(workspace, tool));
        plan.blockedTools().stream().filter(tool -> !current.contains(tool)).forEach(tool -> killSwitch.block(workspace, tool, by));
    }

    /**
     * A problem at the start of {@code rule}'s mapping: its line is in the rule's location, its
     * column is where that line's content starts after a list's {@code -}, as the loader would point.
     */
    private static ConfigProblem at(Rule rule, List<String> lines, String path, String message) {
        String location = rule.location();
        int line = location == null ? 0 : Integer.parseInt(location.substring(location.lastIndexOf(':') + 1));
        if (line < 1 || line > lines.size()) {
            return new ConfigProblem(MANIFEST, 0, 0, path, message);
        }
        String text = lines.get(line - 1);
        int column = 0;
        while (column < text.length() && (text.charAt(column) == ' ' || text.charAt(column) == '-')) {
            column++;
        }
        return new ConfigProblem(MANIFEST, line, column + 1, path, message);
    }

    private static ConfigProblem unlocated(String path, String message) {
        return new ConfigProblem(MANIFEST, 0, 0, path, message);
    }
}
