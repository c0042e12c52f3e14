package dev.toolgate.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Small builders shared by the policy tests, so each test reads as rules, a call and a decision. */
final class TestPolicies {
    static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt-4o");

    private TestPolicies() {
    }

    static Rule rule(String id, Action action, String when, String... tools) {
        return new Rule(id, "", Arrays.asList(tools), when, action, null);
    }

    static Rule approveRule(String id, String approverEmail, String when, String... tools) {
        return new Rule(id, "", Arrays.asList(tools), when, Action.APPROVE, approverEmail);
    }

    static PolicyDefaults defaults(Action defaultAction, Action onError) {
        return new PolicyDefaults(defaultAction, onError);
    }

    static RuleSet compile(PolicyDefaults defaults, Rule... rules) {
        return compile(defaults, List.of(rules));
    }

    static RuleSet compile(PolicyDefaults defaults, List<Rule> rules) {
        try {
            return RuleSet.compile(rules, defaults);
        } catch (RuleCompileException e) {
            throw new AssertionError("rule '" + e.ruleId() + "' field " + e.field() + ": " + e.getMessage(), e);
        }
    }

    static ToolCall call(String tool, String arguments) {
        return new ToolCall("call_1", tool, arguments);
    }

    static Decision evaluate(RuleSet rules, ToolCall call) {
        return rules.evaluate(call, CONTEXT, Set.of());
    }

    static Decision evaluate(RuleSet rules, ToolCall call, CallContext context) {
        return rules.evaluate(call, context, Set.of());
    }

    static List<String> ruleIdsOf(Decision decision) {
        return decision.reasons().stream().map(Finding::ruleId).toList();
    }
}
