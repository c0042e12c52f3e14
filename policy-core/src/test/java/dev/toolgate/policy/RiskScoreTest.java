package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.approveRule;
import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The risk score lies in 0..1 and rises with the severity of the outcome. */
class RiskScoreTest {

    @Test
    void riskIncreasesWithSeverity() {
        RuleSet rules = compile(PolicyDefaults.STANDARD,
                rule("allow-read", Action.ALLOW, null, "read_file"),
                rule("warn-write", Action.WARN, null, "write_file"),
                approveRule("approve-pay", "finance@example.com", null, "pay"),
                rule("block-drop", Action.BLOCK, null, "db_drop"));

        double allow = evaluate(rules, call("read_file", "{}")).riskScore();
        double warn = evaluate(rules, call("write_file", "{}")).riskScore();
        double approve = evaluate(rules, call("pay", "{}")).riskScore();
        double block = evaluate(rules, call("db_drop", "{}")).riskScore();

        assertThat(allow).isBetween(0.0, 1.0).isLessThan(warn);
        assertThat(warn).isLessThan(approve);
        assertThat(approve).isLessThan(block);
        assertThat(block).isBetween(0.0, 1.0);
    }

    @Test
    void blockedByKillSwitchOrErrorIsAsRiskyAsABlockRule() {
        RuleSet rules = compile(PolicyDefaults.STANDARD,
                rule("block-drop", Action.BLOCK, null, "db_drop"),
                rule("large", Action.WARN, "args.amount > 1", "pay"));
        double blockRule = evaluate(rules, call("db_drop", "{}")).riskScore();

        assertThat(rules.evaluate(call("read_file", "{}"), TestPolicies.CONTEXT, Set.of("read_file")).riskScore())
                .isEqualTo(blockRule);
        assertThat(evaluate(rules, call("pay", "{}")).riskScore()).isEqualTo(blockRule);
        assertThat(evaluate(rules, call("pay", "[]")).riskScore()).isEqualTo(blockRule);
    }
}
