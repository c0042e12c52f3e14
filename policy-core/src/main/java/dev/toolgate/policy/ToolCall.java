package dev.toolgate.policy;

import java.util.Objects;

/**
 * One tool call proposed by a model, as it arrived: {@code arguments} is the raw JSON text, which
 * may be malformed (that is itself a finding, never a crash).
 *
 * @param id the provider's call id ({@code call_...}), or null where the entry point has none
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? "" : arguments;
    }
}
