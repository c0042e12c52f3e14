package dev.toolgate.storage.internal;

import dev.toolgate.storage.StandingApproval;
import dev.toolgate.storage.StandingApprovalStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link StandingApprovalStore} on the {@code standing_approvals} table. */
public final class JdbiStandingApprovalStore implements StandingApprovalStore {
    private static final String COLUMNS = "id, workspace, agent, tool, approval_id, base_arguments, bounds, created_by, note,"
            + " created_at, expires_at, max_calls, used_calls, revoked_at, revoked_by, ended_at";
    private static final String USABLE = "revoked_at IS NULL AND ended_at IS NULL AND expires_at > :now"
            + " AND (max_calls IS NULL OR used_calls < max_calls)";
    private static final int MAX_LIMIT = 1000;

    private final Jdbi jdbi;

    public JdbiStandingApprovalStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    @Override
    public void create(StandingApproval grant) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO standing_approvals (" + COLUMNS + ") VALUES (:id, :workspace,"
                        + " :agent, :tool, :approvalId, :baseArguments, :bounds, :createdBy, :note, :createdAt, :expiresAt,"
                        + " :maxCalls, :usedCalls, :revokedAt, :revokedBy, :endedAt)")
                .bind("id", grant.id())
                .bind("workspace", grant.workspace())
                .bind("agent", grant.agent())
                .bind("tool", grant.tool())
                .bind("approvalId", grant.approvalId())
                .bind("baseArguments", grant.baseArguments())
                .bind("bounds", grant.bounds())
                .bind("createdBy", grant.createdBy())
                .bind("note", grant.note())
                .bind("createdAt", grant.createdAt())
                .bind("expiresAt", grant.expiresAt())
                .bindByType("maxCalls", grant.maxCalls(), Integer.class)
                .bind("usedCalls", grant.usedCalls())
                .bindByType("revokedAt", grant.revokedAt(), Instant.class)
                .bind("revokedBy", grant.revokedBy())
                .bindByType("endedAt", grant.endedAt(), Instant.class)
                .execute());
    }

    @Override
    public Optional<StandingApproval> find(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM standing_approvals WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .map(JdbiStandingApprovalStore::map)
                .findOne());
    }

    @Override
    public List<StandingApproval> list(String workspace, boolean includeEnded, int limit) {
        checkLimit(limit);
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM standing_approvals WHERE workspace = :workspace"
                        + (includeEnded ? "" : " AND ended_at IS NULL AND revoked_at IS NULL")
                        + " ORDER BY created_at DESC, id LIMIT :limit")
                .bind("workspace", workspace)
                .bind("limit", limit)
                .map(JdbiStandingApprovalStore::map)
                .list());
    }

    @Override
    public List<StandingApproval> usable(String workspace, String agent, String tool, Instant now) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM standing_approvals"
                        + " WHERE workspace = :workspace AND agent = :agent AND tool = :tool AND " + USABLE
                        + " ORDER BY created_at, id")
                .bind("workspace", workspace)
                .bind("agent", agent)
                .bind("tool", tool)
                .bind("now", now)
                .map(JdbiStandingApprovalStore::map)
                .list());
    }

    @Override
    public boolean use(String workspace, String id, Instant now) {
        // One conditional UPDATE: the row lock makes concurrent users of the last call take turns, and the loser matches nothing.
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE standing_approvals SET used_calls = used_calls + 1"
                        + " WHERE workspace = :workspace AND id = :id AND " + USABLE)
                .bind("workspace", workspace)
                .bind("id", id)
                .bind("now", now)
                .execute()) == 1;
    }

    @Override
    public boolean revoke(String workspace, String id, String revokedBy, Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE standing_approvals SET revoked_at = :now, revoked_by = :revokedBy,"
                        + " ended_at = :now WHERE workspace = :workspace AND id = :id AND " + USABLE)
                .bind("workspace", workspace)
                .bind("id", id)
                .bind("revokedBy", revokedBy)
                .bind("now", now)
                .execute()) == 1;
    }

    @Override
    public List<StandingApproval> endDue(Instant now, int limit) {
        checkLimit(limit);
        String due = "revoked_at IS NULL AND ended_at IS NULL AND (expires_at <= :now OR used_calls >= max_calls)";
        return jdbi.withHandle(handle -> {
            List<String> candidates = handle.createQuery("SELECT id FROM standing_approvals WHERE " + due
                            + " ORDER BY expires_at, id LIMIT :limit")
                    .bind("now", now)
                    .bind("limit", limit)
                    .mapTo(String.class)
                    .list();
            List<String> ended = new ArrayList<>();
            for (String id : candidates) {
                // Conditional: of several sweeping instances, one marks (and audits) each grant.
                if (handle.createUpdate("UPDATE standing_approvals SET ended_at = :now WHERE id = :id AND " + due)
                        .bind("now", now)
                        .bind("id", id)
                        .execute() == 1) {
                    ended.add(id);
                }
            }
            if (ended.isEmpty()) {
                return List.of();
            }
            return handle.createQuery("SELECT " + COLUMNS + " FROM standing_approvals WHERE id IN (<ids>) ORDER BY expires_at, id")
                    .bindList("ids", ended)
                    .map(JdbiStandingApprovalStore::map)
                    .list();
        });
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
    }

    private static StandingApproval map(ResultSet rs, StatementContext ctx) throws SQLException {
        int maxCalls = rs.getInt("max_calls");
        Integer max = rs.wasNull() ? null : maxCalls;
        return new StandingApproval(rs.getString("id"), rs.getString("workspace"), rs.getString("agent"), rs.getString("tool"),
                rs.getString("approval_id"), rs.getString("base_arguments"), rs.getString("bounds"), rs.getString("created_by"),
                rs.getString("note"), UtcTimestamps.read(rs, "created_at"), UtcTimestamps.read(rs, "expires_at"), max,
                rs.getInt("used_calls"), UtcTimestamps.read(rs, "revoked_at"), rs.getString("revoked_by"),
                UtcTimestamps.read(rs, "ended_at"));
    }
}
