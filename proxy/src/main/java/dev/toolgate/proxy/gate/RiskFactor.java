package dev.toolgate.proxy.gate;

/**
 * One reason a call is risky, and what it adds to the score.
 *
 * @param name the factor: {@code tool_sensitivity}, {@code production_environment}, {@code protected_path},
 *     {@code destructive_pattern}, {@code rule_matched} or {@code recent_blocks}
 * @param evidence one line for people; names configuration (a category, a marker, a path), never quotes an argument value
 */
public record RiskFactor(String name, double contribution, String evidence) {
}
