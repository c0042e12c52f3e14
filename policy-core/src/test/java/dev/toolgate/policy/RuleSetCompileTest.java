package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rules are checked when the rule set is compiled; a bad rule is reported by id and field. */
class RuleSetCompileTest {

    private static RuleCompileException compileFailure(Rule... rules) {
        try {
            RuleSet.compile(Arrays.asList(rules), PolicyDefaults.STANDARD);
        } catch (RuleCompileException e) {
            return e;
        }
        throw new AssertionError("expected a RuleCompileException for " + Arrays.toString(rules));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "args.amount >",
            "args.amount > > 1",
            "(args.amount > 1",
            "args.amount > 1 &&",
            "args.to.endsWith('@example.com'",
    })
    void syntaxErrorInWhen(String when) {
        RuleCompileException e = compileFailure(
                rule("fine", Action.WARN, "args.amount > 1", "pay"),
                rule("broken", Action.BLOCK, when, "pay"));

        assertThat(e.ruleId()).isEqualTo("broken");
        assertThat(e.field()).isEqualTo("when");
        assertThat(e.getMessage()).startsWith("CEL does not compile").doesNotContain("\n");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "user.role == 'admin'",
            "args.to.frobnicate()",
            "tool > 3",
            "agent == 1",
    })
    void checkErrorInWhen(String when) {
        RuleCompileException e = compileFailure(rule("unchecked", Action.BLOCK, when, "pay"));

        assertThat(e.ruleId()).isEqualTo("unchecked");
        assertThat(e.field()).isEqualTo("when");
        assertThat(e.getMessage()).startsWith("CEL does not compile");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "args.amount + 1",
            "'text'",
            "42",
            "size(args)",
            "tool",
            "args.tags.map(t, t + '!')",
    })
    void nonBooleanConditionDoesNotCompile(String when) {
        RuleCompileException e = compileFailure(rule("not-a-condition", Action.BLOCK, when, "pay"));

        assertThat(e.ruleId()).isEqualTo("not-a-condition");
        assertThat(e.field()).isEqualTo("when");
        assertThat(e.getMessage()).contains("CEL does not compile");
    }

    @Test
    void firstBadRuleIsReported() {
        RuleCompileException e = compileFailure(
                rule("first-bad", Action.BLOCK, "args.amount >", "pay"),
                rule("second-bad", Action.BLOCK, "nope(", "pay"));

        assertThat(e.ruleId()).isEqualTo("first-bad");
    }

    @Test
    void firstBadRuleIsReportedHoweverManyCompileSideBySide() {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String when = i == 150 ? "args.amount >" : i == 120 ? "nope(" : "has(args.amount) && args.amount > " + i;
            rules.add(rule("rule-" + i, Action.WARN, when, "pay"));
        }
        rules.add(5, rule("rule-5", Action.BLOCK, null, "pay"));

        RuleCompileException e = compileFailure(rules.toArray(Rule[]::new));

        // The duplicate id comes before either bad condition in the file.
        assertThat(e.ruleId()).isEqualTo("rule-5");
        assertThat(e.field()).isEqualTo("id");

        rules.remove(5);
        assertThat(compileFailure(rules.toArray(Rule[]::new)).ruleId()).isEqualTo("rule-120");
    }

    @Test
    void rulesSharingAConditionEachMatch() throws RuleCompileException {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rules.add(rule("shell-" + i, i % 2 == 0 ? Action.WARN : Action.BLOCK,
                    "has(args.command) && args.command.contains('--force')", "shell_" + i));
        }
        RuleSet compiled = RuleSet.compile(rules, PolicyDefaults.STANDARD);

        for (int i = 0; i < 50; i++) {
            Decision decision = compiled.evaluate(new ToolCall("call-" + i, "shell_" + i, "{\"command\":\"rm --force x\"}"),
                    TestPolicies.CONTEXT, Set.of());
            assertThat(decision.matchedRules()).containsExactly("shell-" + i);
        }
    }

    @Test
    void duplicateIds() {
        RuleCompileException e = compileFailure(
                rule("large-transfer", Action.WARN, "args.amount > 1000", "pay"),
                rule("other", Action.WARN, null, "send_email"),
                rule("large-transfer", Action.BLOCK, "args.amount > 5000", "pay"));

        assertThat(e.ruleId()).isEqualTo("large-transfer");
        assertThat(e.field()).isEqualTo("id");
        assertThat(e.getMessage()).contains("duplicate rule id 'large-transfer'");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", "  "})
    void blankToolPattern(String pattern) {
        RuleCompileException e = compileFailure(rule("blank-tool", Action.BLOCK, null, "pay", pattern));

        assertThat(e.ruleId()).isEqualTo("blank-tool");
        assertThat(e.field()).isEqualTo("tools");
        assertThat(e.getMessage()).contains("empty tool pattern");
    }

    @Test
    void ruleRequiresAnIdAndATool() {
        assertThatThrownBy(() -> new Rule(" ", "", List.of("pay"), null, Action.BLOCK, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rule id is blank");
        assertThatThrownBy(() -> new Rule("no-tools", "", List.of(), null, Action.BLOCK, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rule 'no-tools' has no tools");
    }

    @Test
    void validRulesCompileAndKeepTheirOrder() throws RuleCompileException {
        List<Rule> rules = List.of(
                rule("b", Action.WARN, "has(args.amount) && args.amount > 1000", "pay"),
                rule("a", Action.BLOCK, null, "db_*"));

        RuleSet compiled = RuleSet.compile(rules, PolicyDefaults.STANDARD);

        assertThat(compiled.rules()).containsExactlyElementsOf(rules);
        assertThat(compiled.defaults()).isEqualTo(PolicyDefaults.STANDARD);
    }

    @Test
    void actionNamesParseFromTheirWireNames() {
        assertThat(Action.parse("approve")).isEqualTo(Action.APPROVE);
        assertThat(Action.BLOCK.wireName()).isEqualTo("block");
        assertThatThrownBy(() -> Action.parse("deny"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'deny' (expected one of: allow, warn, approve, block)");
    }
}
