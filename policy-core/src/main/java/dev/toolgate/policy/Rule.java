package dev.toolgate.policy;

import java.util.List;
import java.util.Objects;

/**
 * One operator rule. An exact rule matches when a {@code tools} pattern matches the tool name and
 * the CEL {@code when} condition (if any) is true. A judged rule ({@code text} set) is also narrowed
 * by {@code tools} and {@code when}, and then a model decides whether the plain-language text
 * applies to the call (see {@link Evaluation}).
 *
 * @param tools exact names or globs ({@code db_*}, {@code *}); never empty ({@code *} for a judged rule that names none)
 * @param when CEL over {@code tool, args, agent, model, workspace, request}; null means always
 * @param approverEmail who is asked for an {@link Action#APPROVE} rule; null means the default
 * @param text the plain-language rule a model judges; null for an exact rule
 * @param location where the rule is written, as {@code file:line}; null for a rule that is not from a file
 * @param budget a limit on a total over time: the action applies only to a call that would pass it; null for none
 */
public record Rule(String id, String description, List<String> tools, String when, Action action, String approverEmail,
                   String text, String location, Budget budget) {
    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        text = text == null || text.isBlank() ? null : text.strip();
        tools = tools.isEmpty() && text != null ? List.of("*") : List.copyOf(tools);
        if (id.isBlank()) {
            throw new IllegalArgumentException("rule id is blank (expected: a non-empty identifier)");
        }
        if (tools.isEmpty()) {
            throw new IllegalArgumentException("rule '" + id + "' has no tools (expected: at least one name or glob,"
                    + " or a text for a model to judge)");
        }
        description = Objects.requireNonNullElse(description, "");
        when = when == null || when.isBlank() ? null : when;
        if (budget != null && text != null) {
            throw new IllegalArgumentException("rule '" + id + "' has a budget and a text (expected: a budget on an exact rule)");
        }
        if (budget != null && action != Action.APPROVE && action != Action.BLOCK) {
            throw new IllegalArgumentException("rule '" + id + "' has a budget and action " + action.wireName()
                    + " (expected: approve or block, what happens to a call over the budget)");
        }
    }

    /** A rule without a budget. */
    public Rule(String id, String description, List<String> tools, String when, Action action, String approverEmail,
                String text, String location) {
        this(id, description, tools, when, action, approverEmail, text, location, null);
    }

    /** A rule that is not from a file. */
    public Rule(String id, String description, List<String> tools, String when, Action action, String approverEmail,
                String text) {
        this(id, description, tools, when, action, approverEmail, text, null);
    }

    /** An exact rule. */
    public Rule(String id, String description, List<String> tools, String when, Action action, String approverEmail) {
        this(id, description, tools, when, action, approverEmail, null);
    }

    /** Whether a model decides if this rule applies. */
    public boolean judged() {
        return text != null;
    }

    /** The text shown to people: the description, else the judged text, else the id. */
    public String label() {
        if (!description.isEmpty()) {
            return description;
        }
        return text != null ? text : id;
    }
}
