package dev.toolgate.config.internal;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.Budget;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Binds the {@code rules} section and compiles it, locating each compile error at the field at fault. */
final class RulesBinder {
    private static final List<String> FIELDS = List.of("id", "description", "tools", "when", "text", "action", "approver_email",
            "budget");
    private static final List<String> BUDGET_FIELDS = List.of("sum", "per", "max", "scope");

    /** The rules as written, before their conditions are compiled. */
    final class Bound {
        private final List<BoundRule> bound;
        private final PolicyDefaults defaults;
        private final boolean allBound;

        private Bound(List<BoundRule> bound, PolicyDefaults defaults, boolean allBound) {
            this.bound = bound;
            this.defaults = defaults;
            this.allBound = allBound;
        }

        List<Rule> rules() {
            return bound.stream().map(BoundRule::rule).toList();
        }

        /** The compiled rule set; null, with the problems reported, when any rule is unusable. */
        RuleSet compile() {
            return RulesBinder.this.compile(bound, defaults, allBound);
        }
    }

    /** A rule and the mapping it came from, so compile errors can point into the file. */
    private record BoundRule(Rule rule, MappingReader source) {
    }

    private final NodeReader reader;
    private final Problems problems;

    RulesBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    Bound bind(MappingReader file, PolicyDefaults defaults) {
        int problemsBefore = problems.count();
        List<Node> entries = reader.sequence(file.node("rules"), "rules", "a list of rules");
        if (entries == null) {
            return new Bound(List.of(), defaults, false);
        }
        List<BoundRule> bound = new ArrayList<>(entries.size());
        Map<String, String> ids = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            MappingReader entry = reader.mapping(entries.get(i), MappingReader.element("rules", i), FIELDS);
            BoundRule rule = entry == null ? null : rule(entry, ids);
            if (rule != null) {
                bound.add(rule);
            }
        }
        return new Bound(bound, defaults, problems.count() == problemsBefore);
    }

    private BoundRule rule(MappingReader entry, Map<String, String> ids) {
        String id = entry.require("id", ValueTypes.text("a unique rule id"));
        String description = entry.get("description", ValueTypes.STRING, "");
        String text = entry.get("text", ValueTypes.text("a plain-language rule for the judge model"), null);
        List<String> tools = entry.strings("tools", "a list of tool names or globs", "a tool name or a glob such as db_*", true);
        boolean noTools = !entry.has("tools") || NodeReader.isNull(entry.node("tools"));
        if (noTools && text == null) {
            entry.reportMissing("tools", "a list of tool names or globs, such as [wire_transfer] or [\"db_*\"],"
                    + " or a text for the judge model");
        }
        if (noTools && text != null) {
            tools = List.of();
        }
        String when = entry.get("when", ValueTypes.text("a CEL expression"), null);
        Action action = entry.require("action", ValueTypes.ACTION);
        String approverEmail = entry.get("approver_email", ValueTypes.EMAIL, null);
        int problemsBeforeBudget = problems.count();
        Budget budget = budget(entry);
        boolean badBudget = problems.count() > problemsBeforeBudget;
        if (id != null) {
            // Checked here rather than left to RuleSet.compile, which stops at the first duplicate.
            String first = ids.putIfAbsent(id, entry.path("id"));
            if (first != null) {
                problems.add(entry.node("id"), entry.path("id"), "duplicate rule id '" + id + "' (first used at " + first + ")");
            }
        }
        if (id == null || tools == null || action == null || badBudget) {
            return null;
        }
        try {
            return new BoundRule(new Rule(id, description, tools, when, action, approverEmail, text,
                    problems.location(entry.mark()), budget), entry);
        } catch (IllegalArgumentException e) {
            problems.add(entry.mark(), entry.path(), e.getMessage());
            return null;
        }
    }

    /** The rule's {@code budget}: null when it has none, or when it is unusable (reported). */
    private Budget budget(MappingReader entry) {
        if (!entry.has("budget") || NodeReader.isNull(entry.node("budget"))) {
            return null;
        }
        MappingReader section = reader.mapping(entry.node("budget"), entry.path("budget"), BUDGET_FIELDS);
        if (section == null) {
            return null;
        }
        String sum = section.require("sum", ValueTypes.text("a CEL expression giving a number, such as args.amount"));
        Duration per = section.require("per", ValueTypes.DURATION);
        BigDecimal max = section.require("max", ValueTypes.POSITIVE_NUMBER);
        Budget.Scope scope = section.get("scope", ValueTypes.BUDGET_SCOPE, Budget.Scope.AGENT);
        return sum == null || per == null || max == null ? null : new Budget(sum, per, max, scope);
    }

    private RuleSet compile(List<BoundRule> bound, PolicyDefaults defaults, boolean allBound) {
        RuleCompileException first = null;
        if (allBound) {
            try {
                return RuleSet.compile(bound.stream().map(BoundRule::rule).toList(), defaults);
            } catch (RuleCompileException e) {
                first = e;
            }
        }
        // RuleSet.compile stops at the first bad rule; compiling each alone reports every one.
        int problemsBefore = problems.count();
        for (BoundRule rule : bound) {
            try {
                RuleSet.compile(List.of(rule.rule()), defaults);
            } catch (RuleCompileException e) {
                report(rule, e);
            }
        }
        if (first != null && problems.count() == problemsBefore) {
            // Only visible across rules; still must not pass silently.
            RuleCompileException error = first;
            bound.stream().filter(rule -> rule.rule().id().equals(error.ruleId())).reduce((a, b) -> b)
                    .ifPresentOrElse(rule -> report(rule, error), () -> problems.add((Node) null, "rules", error.getMessage()));
        }
        return null;
    }

    /** The value node of {@code field} in {@code source}, one level down for {@code budget.sum}; null when absent. */
    private static Node node(MappingReader source, String field) {
        int dot = field.indexOf('.');
        if (dot < 0) {
            return source.node(field);
        }
        if (source.node(field.substring(0, dot)) instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(field.substring(dot + 1))) {
                    return tuple.getValueNode();
                }
            }
        }
        return null;
    }

    private void report(BoundRule rule, RuleCompileException e) {
        MappingReader source = rule.source();
        Node field = node(source, e.field());
        if (field == null) {
            problems.add(source.mark(), source.path(), e.getMessage());
        } else {
            problems.add(field, source.path(e.field()), e.getMessage());
        }
    }
}
