package dev.toolgate.policy;

import static dev.toolgate.policy.TestPolicies.CONTEXT;
import static dev.toolgate.policy.TestPolicies.compile;
import static dev.toolgate.policy.TestPolicies.defaults;
import static dev.toolgate.policy.TestPolicies.rule;
import static dev.toolgate.policy.TestPolicies.ruleIdsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A call with an alias (an MCP tool named {@code {server}.{tool}} and known by its bare name too)
 * is matched by rules and the kill switch under either name, and a tool every call of which is
 * blocked is recognised without arguments.
 */
class ToolAliasTest {
    private final RuleSet rules = compile(defaults(Action.ALLOW, Action.BLOCK),
            rule("no-deletes", Action.BLOCK, null, "delete_*"),
            rule("files-writes", Action.APPROVE, "args.size > 10", "files.write_file"),
            rule("warn-files", Action.WARN, null, "files.*"));

    private Decision decide(ToolCall call, Set<String> blocked) {
        return rules.evaluate(call, CONTEXT, blocked);
    }

    @Test
    void rulesMatchTheQualifiedNameAndTheBareName() {
        assertThat(ruleIdsOf(decide(new ToolCall(null, "files.delete_file", "{}", "delete_file"), Set.of())))
                .containsExactly("no-deletes");
        Decision held = decide(new ToolCall(null, "files.write_file", "{\"size\":20}", "write_file"), Set.of());
        assertThat(held).isInstanceOf(Decision.NeedsApproval.class);
        assertThat(held.matchedRules()).containsExactly("files-writes", "warn-files");
        assertThat(decide(new ToolCall(null, "files.delete_file", "{}", null), Set.of()).matchedRules())
                .as("without the alias only the qualified name counts").containsExactly("warn-files");
    }

    @Test
    void theKillSwitchMatchesEitherName() {
        assertThat(ruleIdsOf(decide(new ToolCall(null, "files.read_file", "{}", "read_file"), Set.of("read_file"))))
                .containsExactly(RuleSet.KILL_SWITCH_RULE);
        assertThat(ruleIdsOf(decide(new ToolCall(null, "files.read_file", "{}", "read_file"), Set.of("files.read_file"))))
                .containsExactly(RuleSet.KILL_SWITCH_RULE);
    }

    @Test
    void onlyAToolBlockedWhateverItsArgumentsCountsAsBlockingEveryCall() {
        assertThat(rules.blocksEveryCall("files.delete_file", "delete_file", Set.of())).isTrue();
        assertThat(rules.blocksEveryCall("files.write_file", "write_file", Set.of())).as("conditional rule").isFalse();
        assertThat(rules.blocksEveryCall("files.read_file", "read_file", Set.of())).isFalse();
        assertThat(rules.blocksEveryCall("files.read_file", "read_file", Set.of("read_file"))).isTrue();
    }
}
