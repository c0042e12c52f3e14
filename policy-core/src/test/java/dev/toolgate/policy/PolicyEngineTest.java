package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.call;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The engine evaluates with whatever rules and kill-switch list are active at the time of the call. */
class PolicyEngineTest {
    private static final ToolCall DROP = call("db_drop", "{\"table\": \"users\"}");

    @Test
    void evaluatesWithItsRulesAndBlockedTools() {
        RuleSet rules = compile(PolicyDefaults.STANDARD, rule("warn-db", Action.WARN, null, "db_*"));
        PolicyEngine engine = new PolicyEngine(rules, Set.of("shell_exec"));

        assertThat(engine.evaluate(DROP, TestPolicies.CONTEXT).decidingRule()).isEqualTo("warn-db");
        assertThat(engine.evaluate(call("shell_exec", "{}"), TestPolicies.CONTEXT).decidingRule())
                .isEqualTo(RuleSet.KILL_SWITCH_RULE);
        assertThat(engine.ruleSet()).isSameAs(rules);
        assertThat(engine.blockedTools()).containsExactly("shell_exec");
    }

    @Test
    void replacedRulesTakeEffectForTheNextEvaluation() {
        RuleSet before = compile(PolicyDefaults.STANDARD, rule("warn-db", Action.WARN, null, "db_*"));
        RuleSet after = compile(PolicyDefaults.STANDARD, rule("block-drop", Action.BLOCK, null, "db_drop"));
        PolicyEngine engine = new PolicyEngine(before, Set.of());

        Decision first = engine.evaluate(DROP, TestPolicies.CONTEXT);
        engine.replaceRules(after);
        Decision second = engine.evaluate(DROP, TestPolicies.CONTEXT);

        assertThat(first).isInstanceOf(Decision.Warned.class);
        assertThat(first.policyVersion()).isEqualTo(before.version());
        assertThat(second).isInstanceOf(Decision.Blocked.class);
        assertThat(second.decidingRule()).isEqualTo("block-drop");
        assertThat(second.policyVersion()).isEqualTo(after.version());
        assertThat(engine.ruleSet()).isSameAs(after);
    }

    @Test
    void replacedBlockedToolsTakeEffectForTheNextEvaluation() {
        PolicyEngine engine = new PolicyEngine(RuleSet.empty(PolicyDefaults.STANDARD), Set.of());

        Decision beforeBlocking = engine.evaluate(DROP, TestPolicies.CONTEXT);
        engine.replaceBlockedTools(Set.of("db_drop"));
        Decision whileBlocked = engine.evaluate(DROP, TestPolicies.CONTEXT);
        engine.replaceBlockedTools(Set.of());
        Decision afterUnblocking = engine.evaluate(DROP, TestPolicies.CONTEXT);

        assertThat(beforeBlocking).isInstanceOf(Decision.Allowed.class);
        assertThat(whileBlocked).isInstanceOf(Decision.Blocked.class);
        assertThat(whileBlocked.decidingRule()).isEqualTo(RuleSet.KILL_SWITCH_RULE);
        assertThat(afterUnblocking).isInstanceOf(Decision.Allowed.class);
        assertThat(afterUnblocking.decidingRule()).isEqualTo(RuleSet.DEFAULT_RULE);
    }

    @Test
    void laterChangesToTheCallersSetDoNotLeakIn() {
        Set<String> blocked = new HashSet<>(Set.of("db_drop"));
        PolicyEngine engine = new PolicyEngine(RuleSet.empty(PolicyDefaults.STANDARD), blocked);

        blocked.clear();

        assertThat(engine.evaluate(DROP, TestPolicies.CONTEXT)).isInstanceOf(Decision.Blocked.class);
    }
}
