package dev.toolgate.policy;

import java.util.Objects;
import java.util.Set;

/**
 * One tool call proposed by a model, as it arrived: {@code arguments} is the raw JSON text, which
 * may be malformed (that is itself a finding, never a crash).
 *
 * @param id the provider's call id ({@code call_...}), or null where the entry point has none
 * @param alias a second name rules and the kill switch know the call by, or null: an MCP gateway
 *              call is named {@code {server}.{tool}} and matched by its bare tool name too
 */
public record ToolCall(String id, String name, String arguments, String alias) {
    public ToolCall {
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? "" : arguments;
    }

    public ToolCall(String id, String name, String arguments) {
        this(id, name, arguments, null);
    }

    /** Whether {@code names} holds the call's name or its alias. */
    public boolean knownIn(Set<String> names) {
        return names.contains(name) || alias != null && names.contains(alias);
    }
}
