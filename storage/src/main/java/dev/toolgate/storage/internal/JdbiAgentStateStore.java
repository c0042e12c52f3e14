package dev.toolgate.storage.internal;

import dev.toolgate.storage.AgentState;
import dev.toolgate.storage.AgentStateStore;
import dev.toolgate.storage.BreakerState;
import dev.toolgate.storage.ChangeFeed.Topic;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link AgentStateStore} on the {@code agent_states} table. */
public final class JdbiAgentStateStore implements AgentStateStore {
    private static final String COLUMNS =
            "workspace, agent, state, reason, changed_by, changed_at, throttle_calls, throttle_per_ms, version";

    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiAgentStateStore(Jdbi jdbi, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public List<AgentState> all() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM agent_states ORDER BY workspace, agent")
                .map(JdbiAgentStateStore::map)
                .list());
    }

    @Override
    public Optional<AgentState> find(String workspace, String agent) {
        return jdbi.withHandle(handle -> current(handle, workspace, agent, false));
    }

    @Override
    public Optional<AgentState> change(String workspace, String agent, BreakerState state, String reason, String changedBy,
                                       int throttleCalls, Duration throttlePer, boolean onlyStricter) {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(state, "state");
        try {
            return changeOnce(workspace, agent, state, reason, changedBy, throttleCalls, throttlePer, onlyStricter);
        } catch (RuntimeException e) {
            // Two instances creating the agent's first row at once: the loser tries again against the winner's row.
            if (SqlErrors.isDuplicateKey(e)) {
                return changeOnce(workspace, agent, state, reason, changedBy, throttleCalls, throttlePer, onlyStricter);
            }
            throw e;
        }
    }

    private Optional<AgentState> changeOnce(String workspace, String agent, BreakerState state, String reason, String changedBy,
                                            int throttleCalls, Duration throttlePer, boolean onlyStricter) {
        return jdbi.inTransaction(handle -> {
            Optional<AgentState> current = current(handle, workspace, agent, true);
            BreakerState from = current.map(AgentState::state).orElse(BreakerState.MONITORING);
            if (onlyStricter && !state.stricterThan(from)) {
                return Optional.empty();
            }
            AgentState next = new AgentState(workspace, agent, state, reason, changedBy, clock.instant(), throttleCalls,
                    throttlePer, current.map(AgentState::version).orElse(0L) + 1);
            String sql = current.isPresent()
                    ? "UPDATE agent_states SET state = :state, reason = :reason, changed_by = :changedBy, changed_at = :changedAt,"
                            + " throttle_calls = :throttleCalls, throttle_per_ms = :throttlePerMs, version = :version"
                            + " WHERE workspace = :workspace AND agent = :agent"
                    : "INSERT INTO agent_states (" + COLUMNS + ") VALUES (:workspace, :agent, :state, :reason, :changedBy,"
                            + " :changedAt, :throttleCalls, :throttlePerMs, :version)";
            handle.createUpdate(sql)
                    .bind("workspace", workspace)
                    .bind("agent", agent)
                    .bind("state", state.value())
                    .bind("reason", reason)
                    .bind("changedBy", changedBy)
                    .bind("changedAt", next.changedAt())
                    .bind("throttleCalls", next.throttleCalls())
                    .bind("throttlePerMs", next.throttlePer().toMillis())
                    .bind("version", next.version())
                    .execute();
            ChangeVersions.bump(handle, Topic.AGENTS);
            return Optional.of(next);
        });
    }

    private static Optional<AgentState> current(Handle handle, String workspace, String agent, boolean forUpdate) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM agent_states WHERE workspace = :workspace AND agent = :agent"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .bind("workspace", workspace)
                .bind("agent", agent)
                .map(JdbiAgentStateStore::map)
                .findOne();
    }

    private static AgentState map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AgentState(rs.getString("workspace"), rs.getString("agent"), BreakerState.fromValue(rs.getString("state")),
                rs.getString("reason"), rs.getString("changed_by"), UtcTimestamps.read(rs, "changed_at"),
                rs.getInt("throttle_calls"), Duration.ofMillis(rs.getLong("throttle_per_ms")), rs.getLong("version"));
    }
}
