package dev.toolgate.policy;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What one call would spend of one budget rule's total ({@link Rule#budget()}): the value of the
 * rule's {@code sum} for the call, never negative. Spent only if the call is released.
 */
public record BudgetCharge(Rule rule, BigDecimal amount) {
    public BudgetCharge {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(amount, "amount");
        if (rule.budget() == null) {
            throw new IllegalArgumentException("rule '" + rule.id() + "' has no budget");
        }
    }

    public Budget budget() {
        return rule.budget();
    }
}
