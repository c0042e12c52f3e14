package dev.toolgate.policy;

import java.util.List;
import java.util.Objects;

/**
 * One operator rule: it matches when a {@code tools} pattern matches the tool name and the CEL
 * {@code when} condition (if any) is true.
 *
 * @param tools exact names or globs ({@code db_*}, {@code *}); never empty
 * @param when CEL over {@code tool, args, agent, model, workspace, request}; null means always
 * @param approverEmail who is asked for an {@link Action#APPROVE} rule; null means the default
 */
public record Rule(String id, String description, List<String> tools, String when, Action action, String approverEmail) {
    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        tools = List.copyOf(tools);
        if (id.isBlank()) {
            throw new IllegalArgumentException("rule id is blank (expected: a non-empty identifier)");
        }
        if (tools.isEmpty()) {
            throw new IllegalArgumentException("rule '" + id + "' has no tools (expected: at least one name or glob)");
        }
        description = Objects.requireNonNullElse(description, "");
        when = when == null || when.isBlank() ? null : when;
    }

    /** The text shown to people: the description, else the id. */
    public String label() {
        return description.isEmpty() ? id : description;
    }
}
