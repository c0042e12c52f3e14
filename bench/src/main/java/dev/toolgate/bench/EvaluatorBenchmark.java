package dev.toolgate.bench;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PolicyEngine#evaluate} against rule sets of 1 to 10,000 rules. Every set holds exactly one
 * rule that matches {@code read_file} (a CEL rule on the exact name, or a glob); the others are
 * the usual mix for tools the call does not name: exact names, some with CEL conditions, and a
 * glob in every ten. The target: at most 2 µs median with 1,000 rules, flat in the rules that
 * cannot match.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EvaluatorBenchmark {
    private static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt-4o-mini");

    /** Rules in the set, the matching one included. */
    @Param({"1", "100", "1000", "10000"})
    public int rules;

    /** The kind of the one rule {@code read_file} matches: {@code cel} (exact name and a condition) or {@code glob}. */
    @Param({"cel", "glob"})
    public String matchingRule;

    private PolicyEngine engine;
    private final ToolCall matching = new ToolCall("call_1", "read_file", "{\"path\":\"/srv/reports/q3.txt\"}");
    private final ToolCall nonMatching = new ToolCall("call_2", "list_directory", "{\"path\":\"/srv/reports\"}");

    @Setup
    public void compileRules() throws RuleCompileException {
        List<Rule> set = new ArrayList<>(rules);
        Rule target = matchingRule.equals("glob")
                ? new Rule("reads", "Reads are logged", List.of("read_*"), null, Action.WARN, null)
                : new Rule("srv-reads", "Reads under /srv are fine", List.of("read_file"),
                        "has(args.path) && args.path.startsWith('/srv/')", Action.ALLOW, null);
        // The matching rule sits in the middle, so neither end of the list is favoured.
        for (int i = 0; i < rules - 1; i++) {
            if (i == (rules - 1) / 2) {
                set.add(target);
            }
            set.add(filler(i));
        }
        if (set.size() < rules) {
            set.add(target);
        }
        engine = new PolicyEngine(RuleSet.compile(set, PolicyDefaults.STANDARD), Set.of("drop_database"));
        Decision decided = engine.evaluate(matching, CONTEXT);
        if (!decided.matchedRules().equals(List.of(target.id()))) {
            throw new IllegalStateException("read_file should match only " + target.id() + ", matched " + decided.matchedRules());
        }
        if (!engine.evaluate(nonMatching, CONTEXT).matchedRules().isEmpty()) {
            throw new IllegalStateException("list_directory should match no rule");
        }
    }

    /** A rule for a tool the benchmark never calls: exact names, half with CEL, every tenth a glob. */
    private static Rule filler(int i) {
        Action action = Action.values()[1 + i % 3];
        if (i % 10 == 9) {
            return new Rule("glob-" + i, "Namespace " + i, List.of("ns" + i + "_*"),
                    "has(args.command) && args.command.matches('rm\\\\s+-rf')", action, null);
        }
        String when = i % 2 == 0 ? "has(args.amount) && args.amount > " + (1000 + i) : null;
        return new Rule("rule-" + i, "Tool " + i, List.of("tool_" + i, "tool_" + i + "_v2"), when, action, null);
    }

    @Benchmark
    public Decision matchingCall() {
        return engine.evaluate(matching, CONTEXT);
    }

    @Benchmark
    public Decision nonMatchingCall() {
        return engine.evaluate(nonMatching, CONTEXT);
    }
}
