package dev.toolgate.policy;

import dev.cel.common.CelValidationException;
import dev.cel.runtime.CelEvaluationException;
import dev.toolgate.policy.internal.CelConditions;
import dev.toolgate.policy.internal.CelConditions.Amount;
import dev.toolgate.policy.internal.CelConditions.Condition;
import dev.toolgate.policy.internal.JsonArguments;
import dev.toolgate.policy.internal.ToolPattern;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An immutable, compiled set of rules: each CEL condition compiled once, rules indexed by exact
 * tool name so that evaluation never touches rules that cannot match the tool.
 */
public final class RuleSet {
    /** Pseudo rule ids that name where a decision came from when no operator rule did. */
    public static final String DEFAULT_RULE = "policy.default";
    public static final String KILL_SWITCH_RULE = "kill-switch";
    public static final String INVALID_ARGUMENTS_RULE = "invalid-arguments";

    /** Per-tool candidate lists are memoised up to this many distinct names (model output is not trusted to be small). */
    private static final int MAX_MEMOISED_TOOLS = 10_000;

    private final List<Rule> rules;
    private final PolicyDefaults defaults;
    private final String version;
    private final Map<String, List<CompiledRule>> exactIndex;
    private final List<CompiledRule> globRules;
    private final Map<String, List<CompiledRule>> candidatesByTool = new ConcurrentHashMap<>();

    private record CompiledRule(int position, Rule rule, List<ToolPattern> patterns, Condition condition, Amount amount) {
    }

    private RuleSet(List<Rule> rules, PolicyDefaults defaults, List<CompiledRule> compiled) {
        this.rules = List.copyOf(rules);
        this.defaults = defaults;
        this.version = versionOf(rules, defaults);
        Map<String, List<CompiledRule>> exact = new HashMap<>();
        List<CompiledRule> globs = new ArrayList<>();
        for (CompiledRule rule : compiled) {
            Set<String> names = new HashSet<>();
            boolean hasGlob = false;
            for (ToolPattern pattern : rule.patterns()) {
                if (pattern.isExact()) {
                    names.add(pattern.text());
                } else {
                    hasGlob = true;
                }
            }
            if (hasGlob) {
                globs.add(rule);
            } else {
                names.forEach(name -> exact.computeIfAbsent(name, n -> new ArrayList<>()).add(rule));
            }
        }
        this.exactIndex = exact;
        this.globRules = globs;
    }

    /** Compiles every rule; the first rule that does not compile is reported with its id and field. */
    public static RuleSet compile(List<Rule> rules, PolicyDefaults defaults) throws RuleCompileException {
        Map<String, CompiledCondition> conditions = compileConditions(rules);
        List<CompiledRule> compiled = new ArrayList<>(rules.size());
        Set<String> ids = new HashSet<>();
        for (Rule rule : rules) {
            if (!ids.add(rule.id())) {
                throw new RuleCompileException(rule.id(), "id", "duplicate rule id '" + rule.id() + "'");
            }
            List<ToolPattern> patterns = new ArrayList<>();
            for (String tool : rule.tools()) {
                if (tool == null || tool.isBlank()) {
                    throw new RuleCompileException(rule.id(), "tools", "empty tool pattern (expected: a name or a glob such as db_*)");
                }
                patterns.add(ToolPattern.of(tool));
            }
            Condition condition = rule.when() == null ? null : conditions.get(rule.when()).orThrow(rule);
            compiled.add(new CompiledRule(compiled.size(), rule, patterns, condition, amountOf(rule)));
        }
        return new RuleSet(rules, defaults, compiled);
    }

    /** The rule's compiled budget sum; null for a rule without a budget. */
    private static Amount amountOf(Rule rule) throws RuleCompileException {
        if (rule.budget() == null) {
            return null;
        }
        try {
            return CelConditions.compileAmount(rule.budget().sum());
        } catch (CelValidationException e) {
            throw new RuleCompileException(rule.id(), "budget.sum", "CEL does not compile: " + oneLine(e.getMessage()));
        } catch (CelEvaluationException e) {
            throw new RuleCompileException(rule.id(), "budget.sum", "CEL program cannot be built: " + oneLine(e.getMessage()));
        }
    }

    public static RuleSet empty(PolicyDefaults defaults) {
        return new RuleSet(List.of(), defaults, List.of());
    }

    /**
     * Each distinct condition compiled once, on every core: CEL compilation is most of the time a
     * large rule set takes to load, and so of the gateway's startup. Failures are kept, not thrown,
     * so that the caller still reports the first bad rule in file order.
     */
    private static Map<String, CompiledCondition> compileConditions(List<Rule> rules) {
        List<String> expressions = rules.stream().map(Rule::when).filter(Objects::nonNull).distinct().toList();
        return expressions.parallelStream().collect(Collectors.toMap(Function.identity(), CompiledCondition::of));
    }

    /** A condition, or why CEL refused it. */
    private record CompiledCondition(Condition condition, CelValidationException invalid, CelEvaluationException unbuildable) {
        static CompiledCondition of(String expression) {
            try {
                return new CompiledCondition(CelConditions.compile(expression), null, null);
            } catch (CelValidationException e) {
                return new CompiledCondition(null, e, null);
            } catch (CelEvaluationException e) {
                return new CompiledCondition(null, null, e);
            }
        }

        Condition orThrow(Rule rule) throws RuleCompileException {
            if (invalid != null) {
                throw new RuleCompileException(rule.id(), "when", "CEL does not compile: " + oneLine(invalid.getMessage()));
            }
            if (unbuildable != null) {
                throw new RuleCompileException(rule.id(), "when", "CEL program cannot be built: " + oneLine(unbuildable.getMessage()));
            }
            return condition;
        }
    }

    public List<Rule> rules() {
        return rules;
    }

    public PolicyDefaults defaults() {
        return defaults;
    }

    /** Short hash of the rules and defaults: two rule sets that decide alike have the same version. */
    public String version() {
        return version;
    }

    /**
     * Decides one call by its exact rules. Kill switch first, then malformed arguments, then every
     * candidate rule; the strongest matching action wins, a condition that fails to evaluate counts
     * as {@code on_error}, and nothing matching means {@code policy.default}. Judged rules are left
     * out: {@link #evaluation} says which of them a model must still rule on.
     */
    public Decision evaluate(ToolCall call, CallContext context, Set<String> blockedTools) {
        return evaluation(call, context, blockedTools).decision();
    }

    /** The exact rules' decision on one call, and the judged rules whose verdict could still change it. */
    public Evaluation evaluation(ToolCall call, CallContext context, Set<String> blockedTools) {
        if (call.knownIn(blockedTools)) {
            return new Evaluation(this, decision(Action.BLOCK, List.of(),
                    List.of(new Finding(KILL_SWITCH_RULE, "tool '" + call.name() + "' is on the blocked-tools list")), null, null));
        }
        Map<String, Object> args;
        try {
            args = JsonArguments.parse(call.arguments());
        } catch (JsonArguments.MalformedArguments e) {
            return new Evaluation(this, decision(defaults.onError(), List.of(),
                    List.of(new Finding(INVALID_ARGUMENTS_RULE, e.getMessage())), null, null));
        }

        List<CompiledRule> candidates = call.alias() == null ? candidatesFor(call.name()) : candidatesFor(call.name(), call.alias());
        if (candidates.isEmpty()) {
            return new Evaluation(this, defaultDecision());
        }
        Map<String, Object> variables = variables(call, context, args);
        Map<Action, List<Rule>> matchedByAction = new LinkedHashMap<>();
        List<String> matched = new ArrayList<>();
        List<Finding> errors = new ArrayList<>();
        List<Rule> judgeable = List.of();
        List<BudgetCharge> charges = List.of();
        for (CompiledRule candidate : candidates) {
            Rule rule = candidate.rule();
            try {
                if (candidate.condition() == null || candidate.condition().test(variables)) {
                    if (candidate.amount() != null) {
                        // A budget rule decides nothing here: the gate spends the charge, or applies the rule's action.
                        BudgetCharge charge = charge(candidate, variables, errors);
                        if (charge != null) {
                            charges = charges.isEmpty() ? new ArrayList<>() : charges;
                            charges.add(charge);
                        }
                    } else if (rule.judged()) {
                        judgeable = judgeable.isEmpty() ? new ArrayList<>() : judgeable;
                        judgeable.add(rule);
                    } else {
                        matched.add(rule.id());
                        matchedByAction.computeIfAbsent(rule.action(), a -> new ArrayList<>()).add(rule);
                    }
                }
            } catch (CelEvaluationException | RuntimeException e) {
                errors.add(new Finding(rule.id(),
                        "condition could not be evaluated (" + oneLine(e.getMessage()) + "); applying policy.on_error"));
            }
        }
        Decision exact = matched.isEmpty() && errors.isEmpty() ? defaultDecision() : decide(matched, matchedByAction, errors, null);
        return judgeable.isEmpty() ? new Evaluation(this, exact, List.of(), Map.of(), List.of(), List.of(), charges)
                : new Evaluation(this, exact, matched, matchedByAction, errors, judgeable, charges);
    }

    /** What the call would spend of a budget rule's total; null, with the failure among {@code errors}, when its sum fails. */
    private static BudgetCharge charge(CompiledRule candidate, Map<String, Object> variables, List<Finding> errors) {
        try {
            return new BudgetCharge(candidate.rule(), candidate.amount().value(variables));
        } catch (CelEvaluationException | RuntimeException e) {
            errors.add(new Finding(candidate.rule().id(),
                    "budget sum could not be evaluated (" + oneLine(e.getMessage()) + "); applying policy.on_error"));
            return null;
        }
    }

    /** The strongest matched action wins; errors count as {@code on_error} and are always named. */
    Decision decide(List<String> matched, Map<Action, List<Rule>> matchedByAction, List<Finding> errors, Judgement judgement) {
        Action outcome = null;
        for (Action action : matchedByAction.keySet()) {
            outcome = outcome == null ? action : Action.strongest(outcome, action);
        }
        if (!errors.isEmpty()) {
            outcome = outcome == null ? defaults.onError() : Action.strongest(outcome, defaults.onError());
        }
        if (outcome == null) {
            return withJudgement(defaultDecision(), judgement);
        }
        List<Finding> reasons = new ArrayList<>();
        String approverEmail = null;
        for (Rule rule : matchedByAction.getOrDefault(outcome, List.of())) {
            reasons.add(new Finding(rule.id(), rule.label()));
            if (approverEmail == null) {
                approverEmail = rule.approverEmail();
            }
        }
        // Errors are always named, whatever won: an operator must see a rule that is failing.
        reasons.addAll(errors);
        return decision(outcome, matched, reasons, approverEmail, judgement);
    }

    /** {@code decision} as it was, with the model's part recorded. */
    Decision withJudgement(Decision decision, Judgement judgement) {
        String approverEmail = decision instanceof Decision.NeedsApproval held ? held.approverEmail() : null;
        return decision(decision.outcome(), decision.matchedRules(), decision.reasons(), approverEmail, judgement);
    }

    private Decision defaultDecision() {
        return decision(defaults.defaultAction(), List.of(),
                List.of(new Finding(DEFAULT_RULE, "no rule matched; policy default is " + defaults.defaultAction().wireName())),
                null, null);
    }

    private Decision decision(Action outcome, List<String> matched, List<Finding> reasons, String approverEmail, Judgement judgement) {
        double risk = riskOf(outcome);
        switch (outcome) {
            case ALLOW:
                return new Decision.Allowed(matched, reasons, risk, version, judgement);
            case WARN:
                return new Decision.Warned(matched, reasons, risk, version, judgement);
            case APPROVE:
                return new Decision.NeedsApproval(matched, reasons, risk, version, approverEmail, judgement);
            case BLOCK:
            default:
                return new Decision.Blocked(matched, reasons, risk, version, judgement);
        }
    }

    /** A coarse score by outcome; later issues refine it with detectors and history. */
    private static double riskOf(Action outcome) {
        switch (outcome) {
            case ALLOW:
                return 0.0;
            case WARN:
                return 0.4;
            case APPROVE:
                return 0.7;
            case BLOCK:
            default:
                return 1.0;
        }
    }

    /**
     * Whether every call of the tool named {@code name} (or {@code alias}, may be null) is blocked
     * whatever its arguments: on the kill switch, or matched by a block rule with no condition.
     * An MCP gateway hides such tools from its listing.
     */
    public boolean blocksEveryCall(String name, String alias, Set<String> blockedTools) {
        ToolCall call = new ToolCall(null, name, "{}", alias);
        if (call.knownIn(blockedTools)) {
            return true;
        }
        List<CompiledRule> candidates = alias == null ? candidatesFor(name) : candidatesFor(name, alias);
        return candidates.stream().map(CompiledRule::rule)
                .anyMatch(rule -> rule.action() == Action.BLOCK && rule.when() == null && !rule.judged() && rule.budget() == null);
    }

    /** The candidates for either name, each once, in rule order. */
    private List<CompiledRule> candidatesFor(String name, String alias) {
        List<CompiledRule> byName = candidatesFor(name);
        List<CompiledRule> byAlias = candidatesFor(alias);
        if (byAlias.isEmpty()) {
            return byName;
        }
        Map<Integer, CompiledRule> merged = new TreeMap<>();
        byName.forEach(rule -> merged.put(rule.position(), rule));
        byAlias.forEach(rule -> merged.put(rule.position(), rule));
        return List.copyOf(merged.values());
    }

    private List<CompiledRule> candidatesFor(String tool) {
        List<CompiledRule> cached = candidatesByTool.get(tool);
        if (cached != null) {
            return cached;
        }
        List<CompiledRule> candidates = new ArrayList<>(exactIndex.getOrDefault(tool, List.of()));
        for (CompiledRule rule : globRules) {
            if (rule.patterns().stream().anyMatch(p -> p.matches(tool))) {
                candidates.add(rule);
            }
        }
        candidates.sort((a, b) -> Integer.compare(a.position(), b.position()));
        List<CompiledRule> result = List.copyOf(candidates);
        if (candidatesByTool.size() < MAX_MEMOISED_TOOLS) {
            candidatesByTool.put(tool, result);
        }
        return result;
    }

    private static Map<String, Object> variables(ToolCall call, CallContext context, Map<String, Object> args) {
        Map<String, Object> variables = new HashMap<>(8);
        variables.put("tool", call.name());
        variables.put("args", args);
        variables.put("agent", context.agent());
        variables.put("model", context.model());
        variables.put("workspace", context.workspace());
        variables.put("request", context.request());
        return variables;
    }

    private static String versionOf(List<Rule> rules, PolicyDefaults defaults) {
        StringBuilder canonical = new StringBuilder();
        canonical.append(defaults.defaultAction()).append('|').append(defaults.onError()).append('\n');
        for (Rule rule : rules) {
            canonical.append(rule.id()).append('\u0000')
                    .append(String.join("\u0001", rule.tools())).append('\u0000')
                    .append(rule.when()).append('\u0000')
                    .append(rule.action()).append('\u0000')
                    .append(rule.approverEmail());
            if (rule.judged()) {
                canonical.append('\u0000').append(rule.text());
            }
            if (rule.budget() != null) {
                Budget budget = rule.budget();
                canonical.append('\u0000').append(budget.sum()).append('\u0001').append(budget.per())
                        .append('\u0001').append(budget.max().toPlainString()).append('\u0001').append(budget.scope());
            }
            canonical.append('\n');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    private static String oneLine(String message) {
        return message == null ? "unknown error" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
