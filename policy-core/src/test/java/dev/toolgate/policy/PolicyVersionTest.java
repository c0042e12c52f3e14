package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.approveRule;
import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.defaults;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policy version is a hash of the rules and defaults, and every decision carries it. */
class PolicyVersionTest {
    private static final PolicyDefaults DEFAULTS = defaults(Action.ALLOW, Action.BLOCK);

    private static List<Rule> baseline() {
        return List.of(
                rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"),
                approveRule("approve-db", "dba@example.com", null, "db_*"));
    }

    private static String versionOf(PolicyDefaults defaults, Rule... rules) {
        return compile(defaults, rules).version();
    }

    @Test
    void sameRulesGiveTheSameVersion() {
        String first = compile(DEFAULTS, baseline()).version();
        String second = compile(DEFAULTS, baseline()).version();

        assertThat(first).isNotBlank().matches("[0-9a-f]+").isEqualTo(second);
    }

    @Test
    void anyChangeThatAltersDecisionsChangesTheVersion() {
        Rule approveDb = approveRule("approve-db", "dba@example.com", null, "db_*");
        String baseline = compile(DEFAULTS, baseline()).version();

        List<String> variants = List.of(
                versionOf(DEFAULTS, rule("large-transfer", Action.WARN, "args.amount > 5000", "transfer_funds"), approveDb),
                versionOf(DEFAULTS, rule("large-transfer", Action.BLOCK, "args.amount > 1000", "transfer_funds"), approveDb),
                versionOf(DEFAULTS, rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_*"), approveDb),
                versionOf(DEFAULTS, rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"),
                        approveRule("approve-db", "security@example.com", null, "db_*")),
                versionOf(DEFAULTS, rule("big-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"), approveDb),
                versionOf(DEFAULTS, rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds")),
                versionOf(defaults(Action.WARN, Action.BLOCK),
                        rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"), approveDb),
                versionOf(defaults(Action.ALLOW, Action.ALLOW),
                        rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"), approveDb));

        assertThat(variants).doesNotContain(baseline).doesNotHaveDuplicates();
    }

    @Test
    void emptyRuleSetsDifferByDefaults() {
        assertThat(RuleSet.empty(PolicyDefaults.STANDARD).version())
                .isEqualTo(RuleSet.empty(defaults(Action.ALLOW, Action.BLOCK)).version())
                .isNotEqualTo(RuleSet.empty(defaults(Action.BLOCK, Action.BLOCK)).version());
    }

    @Test
    void everyDecisionCarriesTheVersion() {
        RuleSet rules = compile(DEFAULTS,
                rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"),
                approveRule("approve-db", "dba@example.com", null, "db_*"));
        String version = rules.version();

        List<Decision> decisions = List.of(
                evaluate(rules, call("transfer_funds", "{\"amount\": 5000}")),
                evaluate(rules, call("transfer_funds", "{\"amount\": 5}")),
                evaluate(rules, call("transfer_funds", "{}")),
                evaluate(rules, call("db_drop", "{}")),
                evaluate(rules, call("transfer_funds", "{\"amount\":")),
                rules.evaluate(call("transfer_funds", "{}"), TestPolicies.CONTEXT, Set.of("transfer_funds")));

        assertThat(decisions).extracting(Decision::outcome)
                .containsExactly(Action.WARN, Action.ALLOW, Action.BLOCK, Action.APPROVE, Action.BLOCK, Action.BLOCK);
        assertThat(decisions).allSatisfy(decision -> assertThat(decision.policyVersion()).isEqualTo(version));
    }
}
