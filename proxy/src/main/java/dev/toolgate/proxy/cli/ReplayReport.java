package dev.toolgate.proxy.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Rule;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a replay found: the past calls whose outcome would change, grouped by the outcome then, the
 * outcome now and the rule deciding it now, with a few examples each (the newest), and the totals.
 */
final class ReplayReport {
    static final int EXAMPLES_PER_CHANGE = 3;
    private static final int SHOWN_ARGUMENT_CHARS = 60;
    static final String REDACTION_NOTE = "Arguments are replayed as the audit stores them, redacted: a rule that matches on a redacted"
            + " value (a key, a token, a card number) may decide the live call differently.";

    /** What was replayed: the candidate file, the window and the workspaces. */
    record Scope(Path candidate, Duration window, Instant since, List<String> workspaces, List<String> policyVersions) {
    }

    /** One past call and the candidate's decision on it. */
    record Example(AuditEvent event, Decision now) {
    }

    /** Past calls that went from one outcome to another, decided now by the same rule. */
    static final class Change {
        private final String from;
        private final String to;
        private final String rule;
        private final List<Example> examples = new ArrayList<>(EXAMPLES_PER_CHANGE);
        private long count;

        private Change(String from, String to, String rule) {
            this.from = from;
            this.to = to;
            this.rule = rule;
        }

        String from() {
            return from;
        }

        String to() {
            return to;
        }

        /** The rule that decides the new outcome, or a pseudo id such as {@code policy.default}. */
        String rule() {
            return rule;
        }

        long count() {
            return count;
        }

        List<Example> examples() {
            return List.copyOf(examples);
        }

        /** "12 calls allowed then would now be blocked by rule X". */
        String sentence() {
            return Plural.of(count, "call") + " " + words(from) + " then would now be " + words(to) + " by rule " + rule;
        }
    }

    private final Scope scope;
    private final Map<List<String>, Change> changes = new LinkedHashMap<>();
    /** Judged rules that could have changed an outcome, with the number of calls each. */
    private final Map<String, Long> judgedRules = new TreeMap<>();
    private long unchanged;
    private long needJudge;
    private long approverDecisions;
    private long cutShort;

    ReplayReport(Scope scope) {
        this.scope = scope;
    }

    void unchanged() {
        unchanged++;
    }

    void changed(String from, AuditEvent event, Decision now) {
        String to = ToolCallGate.auditDecision(now);
        String rule = now.decidingRule() == null ? "none" : now.decidingRule();
        Change change = changes.computeIfAbsent(List.of(from, to, rule), key -> new Change(from, to, rule));
        change.count++;
        if (change.examples.size() < EXAMPLES_PER_CHANGE) {
            change.examples.add(new Example(event, now));
        }
    }

    void needsJudge(List<Rule> rules) {
        needJudge++;
        rules.forEach(rule -> judgedRules.merge(rule.id(), 1L, Long::sum));
    }

    void approverDecision() {
        approverDecisions++;
    }

    void cutShort() {
        cutShort++;
    }

    /** Largest group first. */
    List<Change> changes() {
        return changes.values().stream().sorted(Comparator.comparingLong(Change::count).reversed()).toList();
    }

    /** Calls whose outcome would change. */
    long changedCalls() {
        return changes.values().stream().mapToLong(Change::count).sum();
    }

    void printText(PrintWriter out) {
        out.println("Replayed the audit of the last " + DurationConverter.format(scope.window()) + " (since " + scope.since() + "), "
                + (scope.workspaces().size() == 1 ? "workspace " : "workspaces ") + String.join(", ", scope.workspaces())
                + ", under " + scope.candidate() + " (policy version " + String.join(", ", scope.policyVersions()) + ").");
        out.println(REDACTION_NOTE);
        out.println();
        List<Change> changes = changes();
        if (changes.isEmpty()) {
            out.println("No outcome would change.");
        }
        for (Change change : changes) {
            out.println(change.sentence() + ":");
            for (Example example : change.examples()) {
                AuditEvent event = example.event();
                out.println("  " + event.time() + "  " + event.tool() + "  agent " + event.agent() + "  event " + event.eventId()
                        + "  " + shortened(event.arguments()));
            }
            if (change.count() > change.examples().size()) {
                out.println("  … and " + Plural.of(change.count() - change.examples().size(), "more call"));
            }
        }
        out.println();
        long redecided = changedCalls() + unchanged;
        out.println(String.format("Totals: %,d of %s would change, %,d would not.", changedCalls(),
                Plural.of(redecided, "re-decided call"), unchanged));
        List<String> skipped = new ArrayList<>();
        if (needJudge > 0) {
            skipped.add(Plural.of(needJudge, "call") + " a judged rule could change (" + String.join(", ", judgedRules.keySet())
                    + "; replay asks no model)");
        }
        if (approverDecisions > 0) {
            skipped.add(Plural.of(approverDecisions, "approver decision") + " (approved, denied, expired: a person's, not the policy's)");
        }
        if (cutShort > 0) {
            skipped.add(Plural.of(cutShort, "call") + " whose arguments the audit did not keep whole (over the size limits)");
        }
        if (!skipped.isEmpty()) {
            out.println("Not re-decided: " + String.join("; ", skipped) + ".");
        }
    }

    ObjectNode toJson() {
        ObjectNode body = Json.object();
        body.put("candidate", scope.candidate().toString());
        body.set("policy_versions", Json.MAPPER.valueToTree(scope.policyVersions()));
        body.put("since", scope.since().toString());
        body.set("workspaces", Json.MAPPER.valueToTree(scope.workspaces()));
        body.put("changed", changedCalls());
        body.put("unchanged", unchanged);
        body.put("needs_judge", needJudge);
        body.set("judged_rules", Json.MAPPER.valueToTree(judgedRules));
        body.put("approver_decisions", approverDecisions);
        body.put("arguments_cut_short", cutShort);
        ArrayNode groups = body.putArray("changes");
        for (Change change : changes()) {
            ObjectNode group = groups.addObject();
            group.put("from", change.from());
            group.put("to", change.to());
            group.put("rule", change.rule());
            group.put("count", change.count());
            group.put("summary", change.sentence());
            ArrayNode examples = group.putArray("examples");
            for (Example example : change.examples()) {
                AuditEvent event = example.event();
                ObjectNode entry = examples.addObject();
                entry.put("event_id", event.eventId());
                entry.put("time", event.time().toString());
                entry.put("workspace", event.workspace());
                entry.put("agent", event.agent());
                entry.put("tool", event.tool());
                entry.put("arguments", event.arguments());
                entry.set("rules_then", Json.MAPPER.valueToTree(event.rules()));
                entry.set("rules_now", Json.MAPPER.valueToTree(example.now().matchedRules()));
                entry.set("reasons_now", Json.MAPPER.valueToTree(example.now().reasons().stream()
                        .map(finding -> finding.ruleId() + ": " + finding.message()).collect(Collectors.toList())));
            }
        }
        body.put("note", REDACTION_NOTE);
        return body;
    }

    /** The audit's decision word as a sentence reads it. */
    private static String words(String outcome) {
        return outcome.equals("pending") ? "held for approval" : outcome;
    }

    private static String shortened(String arguments) {
        return arguments.length() <= SHOWN_ARGUMENT_CHARS ? arguments : arguments.substring(0, SHOWN_ARGUMENT_CHARS) + "…";
    }
}
