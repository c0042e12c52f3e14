package dev.toolgate.policy;

import java.util.Map;
import java.util.Objects;

/**
 * Who asked and through what, as visible to rule conditions ({@code agent}, {@code model},
 * {@code request} in CEL).
 *
 * @param request request facts rules may look at (for example {@code source}, {@code path})
 */
public record CallContext(String workspace, String agent, String model, Map<String, Object> request) {
    public CallContext {
        workspace = Objects.requireNonNullElse(workspace, "default");
        agent = Objects.requireNonNullElse(agent, "");
        model = Objects.requireNonNullElse(model, "");
        request = request == null ? Map.of() : Map.copyOf(request);
    }

    public static CallContext of(String workspace, String agent, String model) {
        return new CallContext(workspace, agent, model, Map.of());
    }
}
