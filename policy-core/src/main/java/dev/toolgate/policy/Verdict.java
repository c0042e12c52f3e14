package dev.toolgate.policy;

import java.util.Objects;

/**
 * A model's answer on one judged rule for one call.
 *
 * @param reason one line, as the model gave it
 */
public record Verdict(String ruleId, boolean applies, String reason) {
    public Verdict {
        Objects.requireNonNull(ruleId, "ruleId");
        reason = Objects.requireNonNullElse(reason, "");
    }
}
