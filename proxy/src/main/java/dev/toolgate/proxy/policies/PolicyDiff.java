package dev.toolgate.proxy.policies;

import dev.toolgate.policy.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What applying a manifest changes, rule by rule id: rules added, rules removed, and rules kept
 * whose fields differ (by the names they have in {@code toolgate.yaml}). Where a rule is written
 * does not count.
 */
public record PolicyDiff(List<String> added, List<String> removed, Map<String, List<String>> changed) {
    public PolicyDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(changed));
    }

    public static PolicyDiff between(List<Rule> before, List<Rule> after) {
        Map<String, Rule> old = byId(before);
        Map<String, Rule> now = byId(after);
        List<String> added = new ArrayList<>();
        Map<String, List<String>> changed = new LinkedHashMap<>();
        now.forEach((id, rule) -> {
            Rule previous = old.get(id);
            if (previous == null) {
                added.add(id);
            } else if (!changedFields(previous, rule).isEmpty()) {
                changed.put(id, changedFields(previous, rule));
            }
        });
        List<String> removed = old.keySet().stream().filter(id -> !now.containsKey(id)).toList();
        return new PolicyDiff(added, removed, changed);
    }

    public boolean empty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** The fields in which {@code a} and {@code b} differ; empty when they are the same rule. */
    public static List<String> changedFields(Rule a, Rule b) {
        List<String> fields = new ArrayList<>();
        compare(fields, "description", a.description(), b.description());
        compare(fields, "text", a.text(), b.text());
        compare(fields, "tools", a.tools(), b.tools());
        compare(fields, "when", a.when(), b.when());
        compare(fields, "action", a.action(), b.action());
        compare(fields, "approver_email", a.approverEmail(), b.approverEmail());
        compare(fields, "budget", a.budget(), b.budget());
        return fields;
    }

    private static void compare(List<String> fields, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            fields.add(name);
        }
    }

    private static Map<String, Rule> byId(List<Rule> rules) {
        Map<String, Rule> byId = new LinkedHashMap<>();
        rules.forEach(rule -> byId.put(rule.id(), rule));
        return byId;
    }
}
