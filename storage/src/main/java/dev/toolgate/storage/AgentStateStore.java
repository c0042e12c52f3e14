package dev.toolgate.storage;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The persisted circuit-breaker state of each agent key, per workspace. All methods are blocking. */
public interface AgentStateStore {

    /** Every workspace's agents that have a state row, by workspace then agent (loaded at startup and on change). */
    List<AgentState> all();

    /** The agent's state row, if it ever left monitoring. */
    Optional<AgentState> find(String workspace, String agent);

    /**
     * Moves an agent to {@code state}, stamped now; with {@code onlyStricter}, only when its
     * current state is less restrictive (an automatic trip never relaxes an admin's decision).
     * Returns the stored row, or empty when nothing changed.
     *
     * @param throttleCalls with {@code throttlePer}, the rate of a {@code throttle}; 0 and zero otherwise
     */
    Optional<AgentState> change(String workspace, String agent, BreakerState state, String reason, String changedBy,
                                int throttleCalls, Duration throttlePer, boolean onlyStricter);
}
