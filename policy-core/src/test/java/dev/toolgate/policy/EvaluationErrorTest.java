package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.defaults;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static dev.toolgate.policy.TestPolicies.ruleIdsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A condition that cannot be evaluated is decided by policy.on_error and named in the reasons. */
class EvaluationErrorTest {
    private static final ToolCall WITHOUT_AMOUNT = call("transfer_funds", "{\"to\": \"acct-9\"}");

    private static RuleSet largeTransfers(Action onError) {
        return compile(defaults(Action.ALLOW, onError),
                rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"));
    }

    private static void assertErrorReason(Finding reason, String ruleId) {
        assertThat(reason.ruleId()).isEqualTo(ruleId);
        assertThat(reason.message()).contains("could not be evaluated").contains("policy.on_error");
    }

    @Test
    void missingKeyFailsClosed() {
        Decision decision = evaluate(largeTransfers(Action.BLOCK), WITHOUT_AMOUNT);

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.matchedRules()).isEmpty();
        assertThat(decision.decidingRule()).isEqualTo("large-transfer");
        assertThat(decision.reasons()).singleElement().satisfies(reason -> {
            assertErrorReason(reason, "large-transfer");
            assertThat(reason.message()).contains("amount").doesNotContain("\n");
        });
    }

    @Test
    void missingKeyWithOnErrorAllowIsAllowedButStillReported() {
        Decision decision = evaluate(largeTransfers(Action.ALLOW), WITHOUT_AMOUNT);

        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(decision.matchedRules()).isEmpty();
        assertThat(decision.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "large-transfer"));
    }

    @ParameterizedTest
    @EnumSource(Action.class)
    void onErrorDecidesWhenNothingMatched(Action onError) {
        Decision decision = evaluate(largeTransfers(onError), WITHOUT_AMOUNT);

        assertThat(decision.outcome()).isEqualTo(onError);
        assertThat(ruleIdsOf(decision)).containsExactly("large-transfer");
    }

    @Test
    void sameRuleEvaluatesCleanlyWhenTheKeyIsPresent() {
        Decision decision = evaluate(largeTransfers(Action.BLOCK), call("transfer_funds", "{\"amount\": 1500}"));

        assertThat(decision).isInstanceOf(Decision.Warned.class);
        assertThat(decision.reasons()).containsExactly(new Finding("large-transfer", "large-transfer"));
    }

    @Test
    void typeErrorFollowsOnError() {
        ToolCall stringAmount = call("transfer_funds", "{\"amount\": \"a lot\"}");

        Decision closed = evaluate(largeTransfers(Action.BLOCK), stringAmount);
        Decision open = evaluate(largeTransfers(Action.ALLOW), stringAmount);

        assertThat(closed).isInstanceOf(Decision.Blocked.class);
        assertThat(closed.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "large-transfer"));
        assertThat(open).isInstanceOf(Decision.Allowed.class);
        assertThat(open.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "large-transfer"));
    }

    @Test
    void nullAmountIsATypeErrorNotAMatch() {
        Decision decision = evaluate(largeTransfers(Action.BLOCK), call("transfer_funds", "{\"amount\": null}"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "large-transfer"));
    }

    @Test
    void invalidRegexFromArgumentsFollowsOnError() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("user-pattern", Action.WARN, "args.text.matches(args.pattern)", "search"));

        Decision decision = evaluate(rules, call("search", "{\"text\": \"abc\", \"pattern\": \"(unclosed\"}"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "user-pattern"));
    }

    @Test
    void errorInOneRuleBeatsAMatchingWarnRuleWhenOnErrorIsBlock() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("warn-transfers", Action.WARN, "args.to.startsWith('acct-')", "transfer_funds"),
                rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"));

        Decision decision = evaluate(rules, WITHOUT_AMOUNT);

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.matchedRules()).containsExactly("warn-transfers");
        assertThat(decision.decidingRule()).isEqualTo("large-transfer");
        assertThat(decision.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "large-transfer"));
    }

    @Test
    void strongerMatchingRuleStillWinsOverOnErrorButTheErrorIsNamed() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.ALLOW),
                rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"),
                rule("block-foreign", Action.BLOCK, "args.to.startsWith('acct-')", "transfer_funds"));

        Decision decision = evaluate(rules, WITHOUT_AMOUNT);

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.matchedRules()).containsExactly("block-foreign");
        assertThat(ruleIdsOf(decision)).containsExactly("block-foreign", "large-transfer");
        assertThat(decision.decidingRule()).isEqualTo("block-foreign");
        assertErrorReason(decision.reasons().get(1), "large-transfer");
    }

    @Test
    void matchingWarnRuleWinsOverOnErrorAllow() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.ALLOW),
                rule("warn-transfers", Action.WARN, "args.to.startsWith('acct-')", "transfer_funds"),
                rule("large-transfer", Action.BLOCK, "args.amount > 1000", "transfer_funds"));

        Decision decision = evaluate(rules, WITHOUT_AMOUNT);

        assertThat(decision).isInstanceOf(Decision.Warned.class);
        assertThat(ruleIdsOf(decision)).containsExactly("warn-transfers", "large-transfer");
    }

    @Test
    void everyFailingRuleIsNamed() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("large-transfer", Action.WARN, "args.amount > 1000", "transfer_funds"),
                rule("risky-currency", Action.WARN, "args.currency == 'XMR'", "*"));

        Decision decision = evaluate(rules, WITHOUT_AMOUNT);

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(ruleIdsOf(decision)).containsExactly("large-transfer", "risky-currency");
        decision.reasons().forEach(reason -> assertThat(reason.message()).contains("could not be evaluated"));
    }

    @Test
    void divisionByZeroFollowsOnError() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("ratio", Action.WARN, "args.a / args.b > 2", "calc"));

        Decision decision = evaluate(rules, call("calc", "{\"a\": 10, \"b\": 0}"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "ratio"));
    }

    @Test
    void nonBooleanValueAtRuntimeFollowsOnError() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("flagged", Action.WARN, "args.flagged", "review"));

        Decision asBoolean = evaluate(rules, call("review", "{\"flagged\": true}"));
        Decision asString = evaluate(rules, call("review", "{\"flagged\": \"yes\"}"));

        assertThat(asBoolean).isInstanceOf(Decision.Warned.class);
        assertThat(asString).isInstanceOf(Decision.Blocked.class);
        assertThat(asString.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "flagged"));
    }

    @Test
    void hugeListsHitTheIterationBoundAndFollowOnError() {
        RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
                rule("all-positive", Action.WARN, "args.items.all(i, i > 0)", "bulk"));
        String items = IntStream.rangeClosed(1, 20_000).mapToObj(Integer::toString).collect(Collectors.joining(","));

        Decision decision = evaluate(rules, call("bulk", "{\"items\": [" + items + "]}"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.reasons()).singleElement().satisfies(reason -> assertErrorReason(reason, "all-positive"));
    }
}
