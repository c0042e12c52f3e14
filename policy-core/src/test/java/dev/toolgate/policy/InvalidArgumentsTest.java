package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.defaults;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Argument text that is not one JSON object is a finding decided by policy.on_error, never a crash. */
class InvalidArgumentsTest {

    private static RuleSet allowEverything(Action onError) {
        return compile(defaults(Action.ALLOW, onError), rule("allow-all", Action.ALLOW, null, "*"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{\"a\":",
            "{\"a\": 1",
            "[1,2]",
            "\"str\"",
            "42",
            "true",
            "null",
            "{\"a\": 1} garbage",
            "{\"a\": 1}{\"b\": 2}",
            "{\"a\": 1, \"a\": 2}",
            "{\"user\": {\"role\": \"viewer\", \"role\": \"admin\"}}",
            "{a: 1}",
            "{'a': 1}",
            "{\"a\": NaN}",
            "{\"a\": 1,}",
            "not json at all",
    })
    void notAJsonObjectIsAFindingFailingClosed(String arguments) {
        Decision decision = evaluate(allowEverything(Action.BLOCK), call("transfer_funds", arguments));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.matchedRules()).isEmpty();
        assertThat(decision.decidingRule()).isEqualTo(RuleSet.INVALID_ARGUMENTS_RULE);
        assertThat(decision.reasons()).singleElement().satisfies(reason -> {
            assertThat(reason.ruleId()).isEqualTo(RuleSet.INVALID_ARGUMENTS_RULE);
            assertThat(reason.message()).startsWith("arguments are not").doesNotContain("\n");
        });
    }

    @ParameterizedTest
    @EnumSource(Action.class)
    void invalidArgumentsFollowOnError(Action onError) {
        Decision decision = evaluate(allowEverything(onError), call("transfer_funds", "{\"a\":"));

        assertThat(decision.outcome()).isEqualTo(onError);
        assertThat(decision.matchedRules()).isEmpty();
        assertThat(decision.reasons()).singleElement()
                .satisfies(reason -> assertThat(reason.ruleId()).isEqualTo(RuleSet.INVALID_ARGUMENTS_RULE));
    }

    @Test
    void invalidArgumentsAreAFindingEvenWhenNoRuleNamesTheTool() {
        Decision decision = evaluate(RuleSet.empty(PolicyDefaults.STANDARD), call("unknown_tool", "[1,2]"));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.decidingRule()).isEqualTo(RuleSet.INVALID_ARGUMENTS_RULE);
        assertThat(decision.reasons().get(0).message()).isEqualTo("arguments are not a JSON object");
    }

    @Test
    void syntaxErrorsSayTheTextIsNotJson() {
        Decision decision = evaluate(allowEverything(Action.BLOCK), call("transfer_funds", "{\"a\": 1, \"a\": 2}"));

        assertThat(decision.reasons().get(0).message()).startsWith("arguments are not valid JSON").contains("a");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", " ", "\n\t "})
    void blankArgumentsAreNoArguments(String arguments) {
        RuleSet rules = compile(defaults(Action.BLOCK, Action.BLOCK),
                rule("parameterless", Action.ALLOW, "size(args) == 0 && !has(args.amount)", "list_files"));

        Decision decision = evaluate(rules, call("list_files", arguments));

        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(decision.reasons()).containsExactly(new Finding("parameterless", "parameterless"));
    }

    @Test
    void nullArgumentsAreNoArguments() {
        RuleSet rules = compile(defaults(Action.BLOCK, Action.BLOCK),
                rule("parameterless", Action.ALLOW, "size(args) == 0", "list_files"));

        Decision decision = evaluate(rules, new ToolCall(null, "list_files", null));

        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(decision.decidingRule()).isEqualTo("parameterless");
    }

    @Test
    void absurdlyDeepNestingIsAFindingNotACrash() {
        String deep = "{\"a\": ".repeat(5_000) + "1" + "}".repeat(5_000);

        Decision decision = evaluate(allowEverything(Action.BLOCK), call("transfer_funds", deep));

        assertThat(decision).isInstanceOf(Decision.Blocked.class);
        assertThat(decision.decidingRule()).isEqualTo(RuleSet.INVALID_ARGUMENTS_RULE);
    }

    @Test
    void emptyObjectIsValid() {
        Decision decision = evaluate(allowEverything(Action.BLOCK), call("list_files", "{}"));

        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(decision.decidingRule()).isEqualTo("allow-all");
    }
}
