package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.evaluate;
import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CEL {@code when} conditions over tool, args, agent, model, workspace and request. */
class CelConditionTest {

    /**
     * Evaluates one block rule with {@code when} against a call, default allow; true when the rule
     * matched. A condition that errors fails the test: these cases must evaluate cleanly.
     */
    private static boolean conditionHolds(String when, String tool, String arguments, CallContext context) {
        RuleSet rules = compile(PolicyDefaults.STANDARD, rule("condition-under-test", Action.BLOCK, when, "*"));
        Decision decision = evaluate(rules, call(tool, arguments), context);
        if (decision instanceof Decision.Blocked) {
            assertThat(decision.reasons()).as("no evaluation error expected")
                    .containsExactly(new Finding("condition-under-test", "condition-under-test"));
            assertThat(decision.matchedRules()).containsExactly("condition-under-test");
            return true;
        }
        assertThat(decision).isInstanceOf(Decision.Allowed.class);
        assertThat(decision.reasons()).singleElement()
                .satisfies(reason -> assertThat(reason.ruleId()).isEqualTo(RuleSet.DEFAULT_RULE));
        assertThat(decision.matchedRules()).isEmpty();
        return false;
    }

    private static boolean conditionHolds(String when, String arguments) {
        return conditionHolds(when, "run_tool", arguments, TestPolicies.CONTEXT);
    }

    @ParameterizedTest(name = "amount {0} -> {1}")
    @CsvSource({
            "1500,    true",
            "1000.5,  true",
            "1001,    true",
            "999,     false",
            "1000,    false",
            "1000.0,  false",
            "999.99,  false",
            "-5000,   false",
            "1e4,     true",
            "99999999999999999999, true",
    })
    void intLiteralComparesWithIntAndDoubleAmounts(String amount, boolean expected) {
        assertThat(conditionHolds("args.amount > 1000", "{\"amount\": " + amount + "}")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "amount {0} -> {1}")
    @CsvSource({
            "1001,   true",
            "1500,   true",
            "1000,   false",
            "999,    false",
            "1000.1, true",
    })
    void doubleLiteralComparesWithIntAmounts(String amount, boolean expected) {
        assertThat(conditionHolds("args.amount > 1000.0", "{\"amount\": " + amount + "}")).isEqualTo(expected);
    }

    @Test
    void integralAndFractionalNumbersAreEqualWhenTheirValuesAre() {
        assertThat(conditionHolds("args.amount == 1000", "{\"amount\": 1000.0}")).isTrue();
        assertThat(conditionHolds("args.amount == 1000.0", "{\"amount\": 1000}")).isTrue();
        assertThat(conditionHolds("args.amount >= 1000", "{\"amount\": 1000.0}")).isTrue();
        assertThat(conditionHolds("args.amount <= 999.5", "{\"amount\": 999}")).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "sudo rm -rf /          | true",
            "rm -rf /tmp/x          | true",
            "rm    -rf .            | true",
            "echo hi && rm\t-rf ~   | true",
            "rm -r -f /             | false",
            "rm -r f                | false",
            "ls -la                 | false",
    })
    void matchesIsAPartialRegexMatch(String command, boolean expected) {
        String arguments = "{\"command\": \"" + command.replace("\t", "\\t") + "\"}";
        assertThat(conditionHolds("args.command.matches('rm\\\\s+-rf')", arguments)).isEqualTo(expected);
    }

    @Test
    void anchoredRegexStillAnchors() {
        assertThat(conditionHolds("args.command.matches('^rm\\\\s')", "{\"command\": \"sudo rm -rf /\"}")).isFalse();
        assertThat(conditionHolds("args.command.matches('^rm\\\\s')", "{\"command\": \"rm -rf /\"}")).isTrue();
    }

    @Test
    void inOverAListArgument() {
        assertThat(conditionHolds("'prod' in args.tags", "{\"tags\": [\"dev\", \"prod\"]}")).isTrue();
        assertThat(conditionHolds("'prod' in args.tags", "{\"tags\": [\"dev\", \"production\"]}")).isFalse();
        assertThat(conditionHolds("'prod' in args.tags", "{\"tags\": []}")).isFalse();
    }

    @Test
    void hasGuardsAnOptionalArgument() {
        String when = "has(args.amount) && args.amount > 1000";

        assertThat(conditionHolds(when, "{\"to\": \"acct-9\"}")).isFalse();
        assertThat(conditionHolds(when, "{}")).isFalse();
        assertThat(conditionHolds(when, "")).isFalse();
        assertThat(conditionHolds(when, "{\"amount\": 5000}")).isTrue();
        assertThat(conditionHolds(when, "{\"amount\": 50}")).isFalse();
    }

    @Test
    void stringFunctions() {
        String external = "{\"to\": \"someone@gmail.com\"}";
        String internal = "{\"to\": \"colleague@example.com\"}";

        assertThat(conditionHolds("!args.to.endsWith('@example.com')", external)).isTrue();
        assertThat(conditionHolds("!args.to.endsWith('@example.com')", internal)).isFalse();
        assertThat(conditionHolds("args.to.startsWith('colleague@')", internal)).isTrue();
        assertThat(conditionHolds("args.to.contains('gmail')", external)).isTrue();
        assertThat(conditionHolds("size(args.to) > 20", internal)).isTrue();
        assertThat(conditionHolds("size(args.to) > 20", external)).isFalse();
    }

    @Test
    void nestedObjects() {
        assertThat(conditionHolds("args.user.role == 'admin'", "{\"user\": {\"name\": \"ann\", \"role\": \"admin\"}}")).isTrue();
        assertThat(conditionHolds("args.user.role == 'admin'", "{\"user\": {\"name\": \"bob\", \"role\": \"viewer\"}}")).isFalse();
        assertThat(conditionHolds("args.query.filter.limit > 100",
                "{\"query\": {\"filter\": {\"limit\": 500}}}")).isTrue();
        assertThat(conditionHolds("args.rows[1].id == 7", "{\"rows\": [{\"id\": 1}, {\"id\": 7}]}")).isTrue();
    }

    @Test
    void jsonNullIsCelNull() {
        assertThat(conditionHolds("args.note == null", "{\"note\": null}")).isTrue();
        assertThat(conditionHolds("has(args.note)", "{\"note\": null}")).isTrue();
        assertThat(conditionHolds("args.note != null", "{\"note\": null}")).isFalse();
        assertThat(conditionHolds("args.note == null", "{\"note\": \"hello\"}")).isFalse();
        assertThat(conditionHolds("args.user.manager == null", "{\"user\": {\"manager\": null}}")).isTrue();
        assertThat(conditionHolds("args.items[0] == null", "{\"items\": [null, 1]}")).isTrue();
    }

    @Test
    void booleansAndMacros() {
        assertThat(conditionHolds("!args.dry_run", "{\"dry_run\": false}")).isTrue();
        assertThat(conditionHolds("!args.dry_run", "{\"dry_run\": true}")).isFalse();
        assertThat(conditionHolds("args.to.exists(r, !r.endsWith('@example.com'))",
                "{\"to\": [\"a@example.com\", \"b@gmail.com\"]}")).isTrue();
        assertThat(conditionHolds("args.to.all(r, r.endsWith('@example.com'))",
                "{\"to\": [\"a@example.com\", \"b@gmail.com\"]}")).isFalse();
        assertThat(conditionHolds("size(args.to) > 1", "{\"to\": [\"a@example.com\", \"b@gmail.com\"]}")).isTrue();
    }

    @Test
    void conditionsOnToolName() {
        assertThat(conditionHolds("tool.startsWith('db_')", "db_drop", "{}", TestPolicies.CONTEXT)).isTrue();
        assertThat(conditionHolds("tool == 'db_drop'", "db_read", "{}", TestPolicies.CONTEXT)).isFalse();
    }

    @Test
    void conditionsOnAgentAndModel() {
        CallContext billing = CallContext.of("default", "billing-bot", "gpt-4o-mini");
        CallContext support = CallContext.of("default", "support-bot", "claude-sonnet");

        assertThat(conditionHolds("agent == 'billing-bot'", "pay", "{}", billing)).isTrue();
        assertThat(conditionHolds("agent == 'billing-bot'", "pay", "{}", support)).isFalse();
        assertThat(conditionHolds("model.startsWith('gpt-4o')", "pay", "{}", billing)).isTrue();
        assertThat(conditionHolds("model.startsWith('gpt-4o')", "pay", "{}", support)).isFalse();
        assertThat(conditionHolds("agent == 'support-bot' && args.amount > 10", "pay", "{\"amount\": 50}", support)).isTrue();
    }

    @Test
    void conditionsOnWorkspaceAndRequest() {
        CallContext finance = new CallContext("finance", "bot", "gpt-4o", Map.of("source", "mcp", "path", "/v1/responses"));
        CallContext unnamed = new CallContext(null, null, null, null);

        assertThat(conditionHolds("workspace == 'finance'", "pay", "{}", finance)).isTrue();
        assertThat(conditionHolds("workspace == 'finance'", "pay", "{}", unnamed)).isFalse();
        assertThat(conditionHolds("workspace == 'default' && agent == '' && model == ''", "pay", "{}", unnamed)).isTrue();
        assertThat(conditionHolds("request.source == 'mcp'", "pay", "{}", finance)).isTrue();
        assertThat(conditionHolds("request.path.startsWith('/v1/')", "pay", "{}", finance)).isTrue();
        assertThat(conditionHolds("has(request.source)", "pay", "{}", unnamed)).isFalse();
    }

    @Test
    void blankConditionAlwaysMatches() {
        assertThat(conditionHolds("   ", "{\"anything\": 1}")).isTrue();
        assertThat(conditionHolds(null, "")).isTrue();
    }
}
