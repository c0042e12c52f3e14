package dev.toolgate.config;

import java.util.List;
import java.util.Locale;

/**
 * The {@code agents} section: the per-agent circuit breaker. What a halted agent's tool calls get,
 * the rate a throttle without one of its own uses, and the automatic trips.
 */
public record AgentsConfig(HaltAction haltAction, ThrottleRate throttleRate, List<BreakerTrip> trips) {

    /** The section as it is when {@code toolgate.yaml} leaves it out: manual control only. */
    public static final AgentsConfig DEFAULTS = new AgentsConfig(HaltAction.APPROVE, new ThrottleRate(10, java.time.Duration.ofMinutes(1)),
            List.of());

    public AgentsConfig {
        trips = List.copyOf(trips);
    }

    /** What a halted agent's tool calls get: held for a person's approval, or blocked. */
    public enum HaltAction {
        APPROVE,
        BLOCK;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
