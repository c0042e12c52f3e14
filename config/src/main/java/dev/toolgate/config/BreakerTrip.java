package dev.toolgate.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * An automatic trip of the agent circuit breaker: when an agent makes {@code count} {@code when}
 * (blocked calls, or calls at all) within {@code within}, it is moved to {@code then}.
 *
 * @param rate the throttle's rate when {@code then} is throttle; else null
 */
public record BreakerTrip(Signal when, int count, Duration within, Then then, ThrottleRate rate) {
    public BreakerTrip {
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(within, "within");
        Objects.requireNonNull(then, "then");
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: at least 1)");
        }
        if ((then == Then.THROTTLE) != (rate != null)) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: a rate exactly when then is throttle)");
        }
    }

    /** What a trip counts. */
    public enum Signal {
        /** Tool calls the gateway blocked. */
        BLOCKED,
        /** Tool calls decided, whatever the decision. */
        CALLS;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The state a trip moves the agent to. */
    public enum Then {
        WARN,
        THROTTLE,
        HALT,
        KILL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How operators read it: "5 blocked tool calls within 10m → halt". */
    public String describe() {
        return count + " " + (when == Signal.BLOCKED ? "blocked tool calls" : "tool calls") + " within " + written(within)
                + " → " + then.wireName() + (rate != null ? " at " + rate : "");
    }

    /** A duration as toolgate.yaml writes it: 10m, 90s, 2h. */
    private static String written(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
