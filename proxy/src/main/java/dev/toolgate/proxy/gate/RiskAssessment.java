package dev.toolgate.proxy.gate;

import java.util.List;

/** A call's risk score in [0, 1]: the sum of its factors' contributions, capped at 1. */
public record RiskAssessment(double score, List<RiskFactor> factors) {
    /** No factor: a score of 0. */
    public static final RiskAssessment NONE = new RiskAssessment(0.0, List.of());

    public RiskAssessment {
        factors = List.copyOf(factors);
        if (score < 0.0 || score > 1.0) {
            throw new IllegalArgumentException("risk score " + score + " (expected: from 0 to 1)");
        }
    }

    /** The factors' evidence lines, in the order they were found. */
    public List<String> evidence() {
        return factors.stream().map(RiskFactor::evidence).toList();
    }
}
