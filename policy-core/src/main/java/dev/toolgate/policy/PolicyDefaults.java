package dev.toolgate.policy;

import java.util.Objects;

/**
 * What happens to calls no rule matches ({@code policy.default}) and to calls that could not be
 * evaluated ({@code policy.on_error}, fail closed by default).
 */
public record PolicyDefaults(Action defaultAction, Action onError) {
    public static final PolicyDefaults STANDARD = new PolicyDefaults(Action.ALLOW, Action.BLOCK);

    public PolicyDefaults {
        Objects.requireNonNull(defaultAction, "defaultAction");
        Objects.requireNonNull(onError, "onError");
    }
}
