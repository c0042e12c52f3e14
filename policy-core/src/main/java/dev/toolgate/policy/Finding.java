package dev.toolgate.policy;

/**
 * One reason behind a decision.
 *
 * @param ruleId the rule that produced it, or one of the {@code RuleSet} pseudo ids
 *     ({@code policy.default}, {@code kill-switch}, {@code invalid-arguments})
 */
public record Finding(String ruleId, String message) {
}
