package dev.toolgate.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A limit on a total over time, carried by a rule: the rule's action applies to a call that would
 * take the total of {@code sum} over the calls released within the last {@code per} past {@code max};
 * a call within the budget is decided by the other rules as if this one did not match.
 *
 * @param sum CEL over the call giving what one call spends, such as {@code args.amount}
 * @param per the sliding window the total is taken over
 * @param max the largest total the window may hold
 * @param scope whose calls share one total
 */
public record Budget(String sum, Duration per, BigDecimal max, Scope scope) {

    /** Whose calls share one total. */
    public enum Scope {
        /** Each agent (gateway key) has its own total. */
        AGENT,
        /** The workspace's agents share one total. */
        WORKSPACE;

        /** The lower-case name used in YAML and JSON. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a YAML/JSON value; the message lists what is accepted. */
        public static Scope parse(String value) {
            for (Scope scope : values()) {
                if (scope.wireName().equals(value)) {
                    return scope;
                }
            }
            throw new IllegalArgumentException("'" + value + "' (expected one of: " + accepted() + ")");
        }

        public static String accepted() {
            return Arrays.stream(values()).map(Scope::wireName).collect(Collectors.joining(", "));
        }
    }

    public Budget {
        Objects.requireNonNull(per, "per");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(scope, "scope");
        if (sum == null || sum.isBlank()) {
            throw new IllegalArgumentException("budget sum is empty (expected: a CEL expression giving a number, such as args.amount)");
        }
        if (per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("budget per: " + per + " (expected: a positive duration such as 24h)");
        }
        if (max.signum() <= 0) {
            throw new IllegalArgumentException("budget max: " + max.toPlainString() + " (expected: a positive number)");
        }
    }

    /** The window as it is usually written in the rules: 24h, 30m, 7d. */
    public String window() {
        if (per.toDays() > 1 && per.equals(Duration.ofDays(per.toDays()))) {
            return per.toDays() + "d";
        }
        if (per.toHours() > 0 && per.equals(Duration.ofHours(per.toHours()))) {
            return per.toHours() + "h";
        }
        if (per.toMinutes() > 0 && per.equals(Duration.ofMinutes(per.toMinutes()))) {
            return per.toMinutes() + "m";
        }
        if (per.toSeconds() > 0 && per.equals(Duration.ofSeconds(per.toSeconds()))) {
            return per.toSeconds() + "s";
        }
        return per.toMillis() + "ms";
    }

    /**
     * The key of the total {@code context}'s calls share within a workspace: {@code agent:<name>}
     * per agent, or {@code workspace} for the workspace's one total.
     */
    public String scopeKey(CallContext context) {
        return scope == Scope.AGENT ? "agent:" + context.agent() : "workspace";
    }
}
