package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.approveRule;
import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.defaults;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static dev.toolgate.policy.TestPolicies.ruleIdsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** block > approve > warn > allow; no match falls to policy.default; the kill switch beats everything. */
class PrecedenceTest {
    private static final ToolCall TRANSFER = call("transfer_funds", "{\"amount\": 5000, \"to\": \"acct-9\"}");

    /** Every ordered pair of actions, so each pair is tried in both rule orders. */
    static Stream<Arguments> actionPairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (Action first : Action.values()) {
            for (Action second : Action.values()) {
                pairs.add(Arguments.of(first, second));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} then {1}")
    @MethodSource("actionPairs")
    void strongerActionWinsWhateverTheRuleOrder(Action first, Action second) {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("first-" + first.wireName(), first, "args.amount > 1000", "transfer_funds"),
                rule("second-" + second.wireName(), second, "args.to.startsWith('acct-')", "transfer_funds"));

        Decision decision = evaluate(rules, TRANSFER);

        Action expected = first.ordinal() >= second.ordinal() ? first : second;
        assertThat(decision.outcome()).isEqualTo(expected);
        assertThat(decision.matchedRules()).containsExactly("first-" + first.wireName(), "second-" + second.wireName());

        List<String> deciding = new ArrayList<>();
        if (first == expected) {
            deciding.add("first-" + first.wireName());
        }
        if (second == expected) {
            deciding.add("second-" + second.wireName());
        }
        assertThat(ruleIdsOf(decision)).containsExactlyElementsOf(deciding);
        assertThat(decision.decidingRule()).isEqualTo(decision.reasons().get(0).ruleId()).isEqualTo(deciding.get(0));
    }

    @Test
    void blockWinsAmongAllFourAndOnlyTheBlockRuleIsTheReason() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("log-transfers", Action.ALLOW, null, "transfer_funds"),
                rule("warn-large", Action.WARN, "args.amount > 100", "transfer_funds"),
                approveRule("approve-large", "finance@example.com", "args.amount > 1000", "transfer_funds"),
                rule("block-huge", Action.BLOCK, "args.amount > 2000", "transfer_funds"));

        Decision decision = evaluate(rules, TRANSFER);

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.matchedRules()).containsExactly("log-transfers", "warn-large", "approve-large", "block-huge");
        assertThat(ruleIdsOf(decision)).containsExactly("block-huge");
        assertThat(decision.decidingRule()).isEqualTo("block-huge");
        assertThat(decision.releases()).isFalse();
    }

    @Test
    void matchedRulesListsOnlyRulesWhoseConditionHolds() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("warn-large", Action.WARN, "args.amount > 100", "transfer_funds"),
                rule("block-huge", Action.BLOCK, "args.amount > 1000000", "transfer_funds"),
                rule("warn-foreign", Action.WARN, "args.to.startsWith('acct-')", "transfer_funds"),
                rule("warn-other-tool", Action.WARN, null, "send_email"));

        Decision decision = evaluate(rules, TRANSFER);

        assertThat(decision).isInstanceOf(Decision.Warned.class);
        assertThat(decision.matchedRules()).containsExactly("warn-large", "warn-foreign");
        assertThat(ruleIdsOf(decision)).containsExactly("warn-large", "warn-foreign");
        assertThat(decision.releases()).isTrue();
    }

    @Test
    void reasonsCarryTheRuleDescription() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                new Rule("block-huge", "Transfers above 1000 are never automatic", List.of("transfer_funds"),
                        "args.amount > 1000", Action.BLOCK, null));

        Decision decision = evaluate(rules, TRANSFER);

        assertThat(decision.reasons()).containsExactly(
                new Finding("block-huge", "Transfers above 1000 are never automatic"));
    }

    @ParameterizedTest
    @EnumSource(Action.class)
    void noMatchingRuleFallsToPolicyDefault(Action defaultAction) {
        RuleSet rules = compile(defaults(defaultAction, Action.BLOCK),
                rule("block-huge", Action.BLOCK, "args.amount > 1000000", "transfer_funds"),
                rule("warn-email", Action.WARN, null, "send_email"));

        for (ToolCall unmatched : List.of(TRANSFER, call("read_file", "{\"path\": \"/tmp/a\"}"))) {
            Decision decision = evaluate(rules, unmatched);

            assertThat(decision.outcome()).as(unmatched.name()).isEqualTo(defaultAction);
            assertThat(decision.matchedRules()).isEmpty();
            assertThat(decision.decidingRule()).isEqualTo(RuleSet.DEFAULT_RULE);
            assertThat(decision.reasons()).singleElement().satisfies(reason ->
                    assertThat(reason.message()).contains("no rule matched").contains(defaultAction.wireName()));
        }
    }

    @ParameterizedTest
    @EnumSource(Action.class)
    void decisionTypeFollowsTheOutcome(Action defaultAction) {
        Decision decision = evaluate(RuleSet.empty(defaults(defaultAction, Action.BLOCK)), TRANSFER);

        Class<? extends Decision> expected = switch (defaultAction) {
            case ALLOW -> Decision.Allowed.class;
            case WARN -> Decision.Warned.class;
            case APPROVE -> Decision.NeedsApproval.class;
            case BLOCK -> Decision.Blocked.class;
        };
        assertThat(decision).isInstanceOf(expected);
        assertThat(decision.releases()).isEqualTo(defaultAction == Action.ALLOW || defaultAction == Action.WARN);
    }

    @Test
    void killSwitchBeatsAnAllowRule() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("allow-transfers", Action.ALLOW, null, "transfer_funds"));

        Decision decision = rules.evaluate(TRANSFER, TestPolicies.CONTEXT, Set.of("transfer_funds"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.decidingRule()).isEqualTo(RuleSet.KILL_SWITCH_RULE);
        assertThat(decision.reasons()).singleElement().satisfies(reason ->
                assertThat(reason.message()).contains("'transfer_funds'").contains("blocked-tools list"));
    }

    @Test
    void killSwitchBeatsEverythingElse() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.ALLOW),
                rule("block-all", Action.BLOCK, null, "*"),
                approveRule("approve-transfers", "finance@example.com", null, "transfer_funds"),
                rule("broken", Action.WARN, "args.missing > 1", "transfer_funds"));
        Set<String> blocked = Set.of("transfer_funds");

        Decision withRules = rules.evaluate(TRANSFER, TestPolicies.CONTEXT, blocked);
        Decision withBadArguments = rules.evaluate(call("transfer_funds", "{\"amount\":"), TestPolicies.CONTEXT, blocked);

        for (Decision decision : List.of(withRules, withBadArguments)) {
            assertThat(decision).isInstanceOf(Decision.Blocked.class);
            assertThat(ruleIdsOf(decision)).containsExactly(RuleSet.KILL_SWITCH_RULE);
        }
    }

    @Test
    void killSwitchNamesExactToolsOnly() {
        RuleSet rules = RuleSet.empty(PolicyDefaults.STANDARD);

        Decision similarName = rules.evaluate(call("transfer_funds_v2", "{}"), TestPolicies.CONTEXT, Set.of("transfer_funds"));

        assertThat(similarName).isInstanceOf(Decision.Allowed.class);
        assertThat(similarName.decidingRule()).isEqualTo(RuleSet.DEFAULT_RULE);
    }

    @Test
    void needsApprovalCarriesTheApprovingRulesEmail() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("warn-large", Action.WARN, "args.amount > 100", "transfer_funds"),
                approveRule("approve-large", "finance@example.com", "args.amount > 1000", "transfer_funds"),
                approveRule("approve-email", "security@example.com", null, "send_email"));

        Decision decision = evaluate(rules, TRANSFER);

        assertThat(decision).isInstanceOfSatisfying(Decision.NeedsApproval.class, approval -> {
            assertThat(approval.approverEmail()).isEqualTo("finance@example.com");
            assertThat(approval.decidingRule()).isEqualTo("approve-large");
            assertThat(approval.matchedRules()).containsExactly("warn-large", "approve-large");
        });
        assertThat(decision.releases()).isFalse();
    }

    @Test
    void firstApprovingRuleNamesTheApprover() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                approveRule("approve-large", "finance@example.com", "args.amount > 1000", "transfer_funds"),
                approveRule("approve-all-transfers", "ops@example.com", null, "transfer_funds"));

        Decision decision = evaluate(rules, TRANSFER);

        assertThat(decision).isInstanceOfSatisfying(Decision.NeedsApproval.class, approval -> {
            assertThat(approval.approverEmail()).isEqualTo("finance@example.com");
            assertThat(ruleIdsOf(approval)).containsExactly("approve-large", "approve-all-transfers");
        });
    }

    @Test
    void approvalWithoutAnApproverLeavesItToTheDefaultApprover() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                approveRule("approve-large", null, "args.amount > 1000", "transfer_funds"));

        Decision decision = evaluate(rules, TRANSFER);

        assertThat(decision).isInstanceOfSatisfying(Decision.NeedsApproval.class,
                approval -> assertThat(approval.approverEmail()).isNull());
    }
}
