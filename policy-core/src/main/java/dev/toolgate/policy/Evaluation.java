package dev.toolgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the exact rules decided about one call, and the judged rules a model must still rule on
 * before the decision is final. {@link #toJudge()} holds only judged rules whose tools and
 * {@code when} match and whose action would change the outcome, so a call an exact rule already
 * blocks is never judged. {@link #charges()} are what the call would spend of the budgets it
 * matched, should it be released. Immutable: the verdicts may arrive on any thread.
 */
public final class Evaluation {
    /** Pseudo rule id of a decision the judge could not make. */
    public static final String JUDGE_RULE = "judge";

    private final RuleSet ruleSet;
    private final Decision exact;
    private final List<String> matched;
    private final Map<Action, List<Rule>> matchedByAction;
    private final List<Finding> errors;
    private final List<Rule> toJudge;
    private final List<BudgetCharge> charges;

    /** A decision made before any rule was looked at (arguments too large to read): nothing to judge. */
    public static Evaluation of(Decision decision) {
        return new Evaluation(null, decision);
    }

    /** A decision no judged rule could change. */
    Evaluation(RuleSet ruleSet, Decision exact) {
        this(ruleSet, exact, List.of(), Map.of(), List.of(), List.of());
    }

    Evaluation(RuleSet ruleSet, Decision exact, List<String> matched, Map<Action, List<Rule>> matchedByAction,
               List<Finding> errors, List<Rule> judgeable) {
        this(ruleSet, exact, matched, matchedByAction, errors, judgeable, List.of());
    }

    Evaluation(RuleSet ruleSet, Decision exact, List<String> matched, Map<Action, List<Rule>> matchedByAction,
               List<Finding> errors, List<Rule> judgeable, List<BudgetCharge> charges) {
        this.ruleSet = ruleSet;
        this.charges = List.copyOf(charges);
        this.exact = exact;
        this.matched = matched;
        this.matchedByAction = matchedByAction;
        this.errors = errors;
        boolean fromDefault = matched.isEmpty() && errors.isEmpty();
        this.toJudge = judgeable.stream()
                .filter(rule -> fromDefault ? rule.action() != exact.outcome() : rule.action().outranks(exact.outcome()))
                .toList();
    }

    /** The decision of the exact rules; final when {@link #toJudge()} is empty. */
    public Decision decision() {
        return exact;
    }

    /** Judged rules whose verdict could change the decision, in rule-set order. */
    public List<Rule> toJudge() {
        return toJudge;
    }

    /** What the call would spend of each budget rule it matched, in rule-set order; empty for most calls. */
    public List<BudgetCharge> charges() {
        return charges;
    }

    public String policyVersion() {
        return exact.policyVersion();
    }

    /**
     * The final decision once {@code model} answered: judged rules that apply count as matched rules
     * (the strongest action wins, as for exact rules). A verdict missing for a rule is the caller's
     * error to report through {@link #judgeFailed}.
     */
    public Decision judged(String model, List<Verdict> verdicts) {
        Map<String, Verdict> byRule = verdicts.stream().collect(Collectors.toMap(Verdict::ruleId, v -> v, (a, b) -> a));
        List<Verdict> asked = new ArrayList<>(toJudge.size());
        List<String> allMatched = new ArrayList<>(matched);
        Map<Action, List<Rule>> byAction = copy(matchedByAction);
        for (Rule rule : toJudge) {
            Verdict verdict = byRule.get(rule.id());
            if (verdict == null) {
                throw new IllegalArgumentException("no verdict for judged rule '" + rule.id() + "'");
            }
            asked.add(verdict);
            if (verdict.applies()) {
                allMatched.add(rule.id());
                byAction.computeIfAbsent(rule.action(), a -> new ArrayList<>()).add(rule);
            }
        }
        Judgement judgement = new Judgement(model, asked, null);
        if (allMatched.size() == matched.size()) {
            return ruleSet.withJudgement(exact, judgement);
        }
        return ruleSet.decide(allMatched, byAction, errors, judgement);
    }

    /** The final decision when the judge gave no usable answer: {@code policy.on_error}, with the cause among the reasons. */
    public Decision judgeFailed(String model, String cause) {
        List<Finding> withFailure = new ArrayList<>(errors);
        withFailure.add(new Finding(JUDGE_RULE, "the judge could not decide "
                + toJudge.stream().map(Rule::id).collect(Collectors.joining(", "))
                + " (" + cause + "); applying policy.on_error"));
        return ruleSet.decide(matched, matchedByAction, withFailure, new Judgement(model, List.of(), cause));
    }

    private static Map<Action, List<Rule>> copy(Map<Action, List<Rule>> byAction) {
        Map<Action, List<Rule>> copy = new LinkedHashMap<>();
        byAction.forEach((action, rules) -> copy.put(action, new ArrayList<>(rules)));
        return copy;
    }
}
