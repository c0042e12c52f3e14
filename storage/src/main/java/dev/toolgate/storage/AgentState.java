package dev.toolgate.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An agent key's circuit-breaker state in a workspace, as last changed.
 *
 * @param reason why, as the admin or the automatic trip put it; may be null
 * @param changedBy {@code api:<admin key>} or {@code breaker} for an automatic trip
 * @param throttleCalls with {@code throttlePer}, a throttled agent's rate; 0 when not throttled
 * @param version moves with every change of this agent's state
 */
public record AgentState(String workspace, String agent, BreakerState state, String reason, String changedBy,
                         Instant changedAt, int throttleCalls, Duration throttlePer, long version) {
    public AgentState {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(changedBy, "changedBy");
        Objects.requireNonNull(changedAt, "changedAt");
        throttlePer = throttlePer == null ? Duration.ZERO : throttlePer;
    }
}
