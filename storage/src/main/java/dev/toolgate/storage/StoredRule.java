package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An approval rule created through the API, merged with the rules from {@code toolgate.yaml}.
 *
 * @param ruleText the rule as the operator wrote it
 * @param action {@code approve} (hold for a human) or {@code block}
 * @param approverEmail who decides held calls, or null for the default approvers
 * @param tools the tool names the rule applies to
 * @param when the rule's condition expression, or null when it applies to every call of its tools
 * @param judged whether a model decides if {@code ruleText} applies to a call ({@code tools} and {@code when} then
 *     only narrow which calls are judged; no tools means every tool)
 * @param createdBy who created it, or null when unknown
 */
public record StoredRule(
        String id,
        String workspace,
        String ruleText,
        String action,
        String approverEmail,
        List<String> tools,
        String when,
        boolean judged,
        Instant createdAt,
        String createdBy) {

    public StoredRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(ruleText, "ruleText");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(createdAt, "createdAt");
        if (!action.equals("approve") && !action.equals("block")) {
            throw new IllegalArgumentException("rule action: " + action + " (expected: approve or block)");
        }
        tools = tools == null ? List.of() : List.copyOf(tools);
    }
}
