package dev.toolgate.policy;

import java.util.List;
import java.util.Objects;

/**
 * That a model took part in a decision: which model, what it said on each judged rule, or why it
 * could not answer (then {@code verdicts} is empty and the decision applied {@code policy.on_error}).
 *
 * @param error why the judge gave no usable answer; null when it answered
 */
public record Judgement(String model, List<Verdict> verdicts, String error) {
    public Judgement {
        Objects.requireNonNull(model, "model");
        verdicts = List.copyOf(verdicts);
    }

    public boolean failed() {
        return error != null;
    }

    /** One line per verdict (or the error), for the audit log: "judge gpt-4o-mini: rule-id applies: reason". */
    public List<String> lines() {
        if (failed()) {
            return List.of("judge " + model + ": no verdict (" + error + ")");
        }
        return verdicts.stream()
                .map(v -> "judge " + model + ": " + v.ruleId() + (v.applies() ? " applies" : " does not apply")
                        + (v.reason().isEmpty() ? "" : ": " + v.reason()))
                .toList();
    }
}
