package dev.toolgate.proxy.agents;

import dev.toolgate.config.ThrottleRate;
import dev.toolgate.storage.AgentState;
import dev.toolgate.storage.BreakerState;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-agent circuit breaker's states: persisted per workspace and agent key, copied into
 * memory so that the decision path never reads the database, and refreshed from it when another
 * instance changed one ({@link #load}). Every change is audited (source {@code breaker}) and
 * announced to whoever listens (the approvers' channels). {@link #change} blocks (storage): call
 * it off the event loop; {@link #state} is a map lookup.
 */
public final class AgentBreaker {
    private static final Logger log = LoggerFactory.getLogger(AgentBreaker.class);
    /** The audit log's tool for a breaker change: it concerns the agent, not one of its calls. */
    static final String NO_TOOL = "-";
    /** Who changed a state when no person did. */
    public static final String AUTOMATIC = "breaker";

    /** An agent key within its workspace. */
    record AgentKey(String workspace, String agent) {
    }

    /** A change as listeners see it: the state before and the stored state after. */
    public record Change(BreakerState from, AgentState to) {
    }

    private final Storage storage;
    private final Clock clock;
    private final Consumer<Change> listener;
    private final Map<AgentKey, AgentState> states = new ConcurrentHashMap<>();

    /** {@code listener}: told of every change made here, after it is stored and audited; must not throw. */
    public AgentBreaker(Storage storage, Clock clock, Consumer<Change> listener) {
        this.storage = storage;
        this.clock = clock;
        this.listener = listener;
    }

    /** Makes the copy in memory that of {@code persisted} ({@link dev.toolgate.storage.AgentStateStore#all()}). */
    public synchronized void load(List<AgentState> persisted) {
        Map<AgentKey, AgentState> fresh = new java.util.HashMap<>();
        persisted.forEach(state -> fresh.put(new AgentKey(state.workspace(), state.agent()), state));
        states.keySet().retainAll(fresh.keySet());
        // A row read before a newer change made here must not undo it: the higher version wins.
        fresh.forEach((key, state) -> states.merge(key, state, (mine, read) -> read.version() >= mine.version() ? read : mine));
    }

    /** The agent's state, or empty while it has only ever been monitored. */
    public Optional<AgentState> state(String workspace, String agent) {
        if (states.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(states.get(new AgentKey(workspace, agent)));
    }

    /**
     * The most restrictive state of the agents named {@code agent} in any workspace, as the public
     * feed (which names agents alone) shows it; monitoring when none has a state.
     */
    public BreakerState strictest(String agent) {
        BreakerState strictest = BreakerState.MONITORING;
        for (AgentState state : states.values()) {
            if (state.agent().equals(agent) && state.state().stricterThan(strictest)) {
                strictest = state.state();
            }
        }
        return strictest;
    }

    /** How many agents, in all workspaces, stand in {@code state}. */
    public long count(BreakerState state) {
        return states.values().stream().filter(agent -> agent.state() == state).count();
    }

    /** The states of a workspace's agents that have one. */
    public List<AgentState> states(String workspace) {
        return states.values().stream().filter(state -> state.workspace().equals(workspace))
                .sorted(java.util.Comparator.comparing(AgentState::agent)).toList();
    }

    /**
     * Moves an agent to {@code state}: stored, then applied here at once (other instances follow
     * within a second), audited, and announced. With {@code onlyStricter} (automatic trips) an
     * agent already at that state or a stricter one is left alone. Empty when nothing changed.
     *
     * @param rate the throttle's rate when {@code state} is throttle; else ignored
     */
    public synchronized Optional<AgentState> change(String workspace, String agent, BreakerState state, String reason,
                                                    String changedBy, ThrottleRate rate, boolean onlyStricter) {
        BreakerState from = state(workspace, agent).map(AgentState::state).orElse(BreakerState.MONITORING);
        boolean throttled = state == BreakerState.THROTTLE;
        Optional<AgentState> changed = storage.agentStates().change(workspace, agent, state, reason, changedBy,
                throttled ? rate.calls() : 0, throttled ? rate.per() : Duration.ZERO, onlyStricter);
        if (changed.isEmpty()) {
            return changed;
        }
        AgentState to = changed.get();
        states.put(new AgentKey(workspace, agent), to);
        audit(from, to);
        log.warn("Agent '{}' in workspace '{}' is now {} (was {}), by {}{}", agent, workspace, describe(to), from.value(), changedBy,
                reason == null || reason.isBlank() ? "" : ": " + reason);
        try {
            listener.accept(new Change(from, to));
        } catch (RuntimeException e) {
            log.warn("Could not announce the breaker change of agent '{}'; the change stands", agent, e);
        }
        return changed;
    }

    /** The state as operators read it: {@code throttle (10/m)}, {@code halt}. */
    static String describe(AgentState state) {
        return state.state() == BreakerState.THROTTLE
                ? state.state().value() + " (" + new ThrottleRate(state.throttleCalls(), state.throttlePer()) + ")"
                : state.state().value();
    }

    /** The change as an audit event, committed before returning: source breaker, tool "-", decision the new state. */
    private void audit(BreakerState from, AgentState to) {
        String reason = from.value() + " → " + describe(to) + " by " + to.changedBy()
                + (to.reason() == null || to.reason().isBlank() ? "" : ": " + to.reason());
        AuditEvent event = new AuditEvent(0, EventIds.next(), clock.instant(), to.workspace(), to.agent(), "breaker", NO_TOOL, null,
                "{}", to.state().value(), List.of(), List.of(reason), 0, null, "", "", null, 0, to.changedBy());
        storage.auditLog().append(List.of(event)).join();
    }
}
