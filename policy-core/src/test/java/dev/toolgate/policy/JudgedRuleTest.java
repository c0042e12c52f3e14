package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.CONTEXT;
import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.defaults;
import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JudgedRuleTest {
    private static final PolicyDefaults ALLOW_BY_DEFAULT = defaults(Action.ALLOW, Action.BLOCK);
    private static final String TRANSFER = "{\"amount\":5000,\"currency\":\"GBP\"}";

    private static Rule judged(String id, Action action, String when, String text, String... tools) {
        return new Rule(id, "", List.of(tools), when, action, null, text);
    }

    @Test
    void aJudgedRuleWithoutToolsCoversEveryTool() {
        Rule rule = judged("wires", Action.APPROVE, null, "Any wire transfer over £1,000 needs approval");

        assertThat(rule.tools()).containsExactly("*");
        assertThat(rule.judged()).isTrue();
        assertThat(rule.label()).isEqualTo("Any wire transfer over £1,000 needs approval");
    }

    @Test
    void theExactDecisionIgnoresJudgedRulesAndNamesThemToJudge() {
        RuleSet rules = compile(ALLOW_BY_DEFAULT, judged("wires", Action.APPROVE, null, "Wires over £1,000 need approval", "wire_*"));

        Evaluation evaluation = rules.evaluation(call("wire_transfer", TRANSFER), CONTEXT, Set.of());

        assertThat(evaluation.decision().outcome()).isEqualTo(Action.ALLOW);
        assertThat(evaluation.toJudge()).extracting(Rule::id).containsExactly("wires");
        assertThat(rules.evaluation(call("read_file", "{}"), CONTEXT, Set.of()).toJudge()).isEmpty();
    }

    @Test
    void whenNarrowsWhichCallsAreJudged() {
        RuleSet rules = compile(ALLOW_BY_DEFAULT,
                judged("wires", Action.APPROVE, "args.amount > 1000", "Wires to new payees need approval", "wire_transfer"));

        assertThat(rules.evaluation(call("wire_transfer", "{\"amount\":10}"), CONTEXT, Set.of()).toJudge()).isEmpty();
        assertThat(rules.evaluation(call("wire_transfer", TRANSFER), CONTEXT, Set.of()).toJudge()).hasSize(1);
    }

    @Test
    void aCallAnExactRuleBlocksIsNotJudged() {
        RuleSet rules = compile(ALLOW_BY_DEFAULT,
                rule("no-wires", Action.BLOCK, null, "wire_transfer"),
                judged("wires", Action.APPROVE, null, "Wires over £1,000 need approval"));

        Evaluation evaluation = rules.evaluation(call("wire_transfer", TRANSFER), CONTEXT, Set.of());

        assertThat(evaluation.decision().outcome()).isEqualTo(Action.BLOCK);
        assertThat(evaluation.toJudge()).isEmpty();
    }

    @Test
    void onlyRulesThatCouldChangeTheOutcomeAreJudged() {
        RuleSet rules = compile(ALLOW_BY_DEFAULT,
                rule("held", Action.APPROVE, null, "wire_transfer"),
                judged("warn", Action.WARN, null, "Mentions a currency"),
                judged("block", Action.BLOCK, null, "Sends money abroad"));

        Evaluation evaluation = rules.evaluation(call("wire_transfer", TRANSFER), CONTEXT, Set.of());

        assertThat(evaluation.toJudge()).extracting(Rule::id).containsExactly("block");
    }

    @Test
    void anApplyingVerdictDecidesLikeAMatchedRuleAndIsRecorded() {
        RuleSet rules = compile(ALLOW_BY_DEFAULT, judged("wires", Action.APPROVE, null, "Wires over £1,000 need approval"));
        Evaluation evaluation = rules.evaluation(call("wire_transfer", TRANSFER), CONTEXT, Set.of());

        Decision decision = evaluation.judged("judge-model", List.of(new Verdict("wires", true, "5,000 GBP is over 1,000")));

        assertThat(decision).isInstanceOf(Decision.NeedsApproval.class);
        assertThat(decision.matchedRules()).containsExactly("wires");
        assertThat(decision.decidingRule()).isEqualTo("wires");
        assertThat(decision.judgement().model()).isEqualTo("judge-model");
        assertThat(decision.judgement().lines()).containsExactly("judge judge-model: wires applies: 5,000 GBP is over 1,000");
        assertThat(decision.policyVersion()).isEqualTo(rules.version());
    }

    @Test
    void aVerdictThatDoesNotApplyKeepsTheExactDecisionWithTheJudgementRecorded() {
        RuleSet rules = compile(ALLOW_BY_DEFAULT, judged("wires", Action.BLOCK, null, "Wires over £1,000 are forbidden"));
        Evaluation evaluation = rules.evaluation(call("wire_transfer", "{\"amount\":10}"), CONTEXT, Set.of());

        Decision decision = evaluation.judged("m", List.of(new Verdict("wires", false, "10 is under 1,000")));

        assertThat(decision.outcome()).isEqualTo(Action.ALLOW);
        assertThat(decision.decidingRule()).isEqualTo(RuleSet.DEFAULT_RULE);
        assertThat(decision.judgement().verdicts()).containsExactly(new Verdict("wires", false, "10 is under 1,000"));
    }

    @Test
    void anAllowingJudgedRuleCanOverrideABlockingDefault() {
        RuleSet rules = compile(defaults(Action.BLOCK, Action.BLOCK), judged("reads", Action.ALLOW, null, "Read-only lookups are fine"));
        Evaluation evaluation = rules.evaluation(call("lookup", "{}"), CONTEXT, Set.of());

        assertThat(evaluation.toJudge()).hasSize(1);
        assertThat(evaluation.judged("m", List.of(new Verdict("reads", true, "read only"))).outcome()).isEqualTo(Action.ALLOW);
    }

    @Test
    void aFailedJudgeAppliesOnErrorAndNamesTheCause() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.APPROVE),
                judged("wires", Action.BLOCK, null, "Wires over £1,000 are forbidden"));
        Evaluation evaluation = rules.evaluation(call("wire_transfer", TRANSFER), CONTEXT, Set.of());

        Decision decision = evaluation.judgeFailed("m", "timed out after 2s");

        assertThat(decision.outcome()).isEqualTo(Action.APPROVE);
        assertThat(decision.reasons()).extracting(Finding::ruleId).containsExactly(Evaluation.JUDGE_RULE);
        assertThat(decision.reasons().get(0).message()).contains("wires").contains("timed out after 2s").contains("on_error");
        assertThat(decision.judgement().failed()).isTrue();
    }

    @Test
    void aMissingVerdictIsAnError() {
        RuleSet rules = compile(ALLOW_BY_DEFAULT, judged("wires", Action.BLOCK, null, "Wires are forbidden"));
        Evaluation evaluation = rules.evaluation(call("wire_transfer", TRANSFER), CONTEXT, Set.of());

        assertThatThrownBy(() -> evaluation.judged("m", List.of(new Verdict("other", true, ""))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wires");
    }

    @Test
    void theJudgedTextIsPartOfThePolicyVersion() {
        RuleSet one = compile(ALLOW_BY_DEFAULT, judged("r", Action.BLOCK, null, "No wires"));
        RuleSet other = compile(ALLOW_BY_DEFAULT, judged("r", Action.BLOCK, null, "No wires over 1,000"));

        assertThat(one.version()).isNotEqualTo(other.version());
    }
}
