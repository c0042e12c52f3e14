package dev.toolgate.config;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.PolicyDefaults;
import java.util.List;

/**
 * The {@code policy} section.
 *
 * @param defaultAction {@code policy.default}: what happens to calls no rule matches
 * @param onError {@code policy.on_error}: what happens when a rule cannot be evaluated (fail closed)
 * @param blockedTools the kill switch as configured at start; the API can add more
 */
public record PolicyConfig(Action defaultAction, Action onError, List<String> blockedTools) {
    public PolicyConfig {
        blockedTools = List.copyOf(blockedTools);
    }

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final PolicyConfig DEFAULTS = new PolicyConfig(PolicyDefaults.STANDARD.defaultAction(), PolicyDefaults.STANDARD.onError(), List.of());

    /** The two actions in the form the evaluator takes. */
    public PolicyDefaults defaults() {
        return new PolicyDefaults(defaultAction, onError);
    }
}
