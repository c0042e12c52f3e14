package dev.toolgate.storage;

import java.util.Locale;

/** An agent's circuit-breaker state, from least to most restrictive. */
public enum BreakerState {
    /** Calls decided by the rules alone. */
    MONITORING,
    /** Calls decided as usual, each flagged. */
    WARN,
    /** Tool calls past a rate are blocked. */
    THROTTLE,
    /** Every tool call is held for approval, or blocked. */
    HALT,
    /** The key is refused on every route until an admin resumes it. */
    KILLED;

    /** The lower-case form stored in the database and shown in the API. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when this state restricts an agent more than {@code other}. */
    public boolean stricterThan(BreakerState other) {
        return compareTo(other) > 0;
    }

    public static BreakerState fromValue(String value) {
        for (BreakerState state : values()) {
            if (state.value().equals(value)) {
                return state;
            }
        }
        throw new IllegalArgumentException("breaker state: " + value + " (expected: monitoring, warn, throttle, halt or killed)");
    }
}
