package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.defaults;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static dev.toolgate.policy.TestPolicies.ruleIdsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules are indexed by tool name: rules that cannot match a call are never evaluated. Each
 * indexed rule here would fail (and so fail closed) if it were evaluated against the call.
 */
class RuleIndexTest {
    private static final int RULE_COUNT = 10_000;

    private static RuleSet rules;

    @BeforeAll
    static void compileManyRulesForOtherTools() {
        List<Rule> list = new ArrayList<>(RULE_COUNT + 2);
        for (int i = 0; i < RULE_COUNT; i++) {
            list.add(rule("tool-" + i, Action.BLOCK, "args.missing > 1", "tool_" + i));
        }
        list.add(rule("broken-glob", Action.BLOCK, "args.missing > 1", "internal_*"));
        list.add(rule("audit-everything", Action.WARN, "tool == 'no_such_tool'", "*"));
        rules = compile(defaults(Action.ALLOW, Action.BLOCK), list);
    }

    @Test
    void unrelatedToolIsDecidedByTheDefaultWithoutErrors() {
        Decision decision = evaluate(rules, call("read_file", "{\"path\": \"/tmp/a\"}"));

        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(decision.matchedRules()).isEmpty();
        assertThat(ruleIdsOf(decision)).containsExactly(RuleSet.DEFAULT_RULE);
    }

    @Test
    void nameThatOnlyLooksLikeAnIndexedOneIsNotEvaluated() {
        Decision decision = evaluate(rules, call("tool_10000", "{}"));

        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(ruleIdsOf(decision)).containsExactly(RuleSet.DEFAULT_RULE);
    }

    @Test
    void indexedRuleForTheCalledToolIsEvaluated() {
        Decision decision = evaluate(rules, call("tool_4242", "{}"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(ruleIdsOf(decision)).containsExactly("tool-4242");
        assertThat(decision.reasons().get(0).message()).contains("could not be evaluated");
    }

    @Test
    void indexedRuleMatchesWhenItsConditionHolds() {
        Decision decision = evaluate(rules, call("tool_9999", "{\"missing\": 2}"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.matchedRules()).containsExactly("tool-9999");
        assertThat(ruleIdsOf(decision)).containsExactly("tool-9999");
    }

    @Test
    void globRulesAreStillConsulted() {
        Decision decision = evaluate(rules, call("internal_reset", "{}"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(ruleIdsOf(decision)).containsExactly("broken-glob");
    }

    @Test
    void manyDistinctToolNamesAreDecidedTheSameWay() {
        for (int i = 0; i < RULE_COUNT + 100; i++) {
            Decision decision = evaluate(rules, call("unrelated_" + i, "{}"));
            assertThat(ruleIdsOf(decision)).as("unrelated_" + i).containsExactly(RuleSet.DEFAULT_RULE);
        }
        assertThat(ruleIdsOf(evaluate(rules, call("tool_7", "{}")))).containsExactly("tool-7");
    }
}
