package dev.toolgate.storage.internal;

import dev.toolgate.storage.BlockedTool;
import dev.toolgate.storage.BlockedToolStore;
import dev.toolgate.storage.ChangeFeed.Topic;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link BlockedToolStore} on the {@code blocked_tools} table. */
public final class JdbiBlockedToolStore implements BlockedToolStore {
    private static final String COLUMNS = "workspace, tool, created_at, created_by";

    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiBlockedToolStore(Jdbi jdbi, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public List<BlockedTool> list(String workspace) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM blocked_tools WHERE workspace = :workspace ORDER BY tool")
                .bind("workspace", workspace)
                .map(JdbiBlockedToolStore::map)
                .list());
    }

    @Override
    public List<BlockedTool> all() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM blocked_tools ORDER BY workspace, tool")
                .map(JdbiBlockedToolStore::map)
                .list());
    }

    @Override
    public boolean add(String workspace, String tool, String createdBy) {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(tool, "tool");
        try {
            return jdbi.inTransaction(handle -> {
                int added = handle.createUpdate("INSERT INTO blocked_tools (" + COLUMNS + ")"
                                + " SELECT :workspace, :tool, :createdAt, :createdBy FROM (VALUES (0)) AS one"
                                + " WHERE NOT EXISTS (SELECT 1 FROM blocked_tools WHERE workspace = :workspace AND tool = :tool)")
                        .bind("workspace", workspace)
                        .bind("tool", tool)
                        .bind("createdAt", clock.instant())
                        .bind("createdBy", createdBy)
                        .execute();
                if (added == 1) {
                    ChangeVersions.bump(handle, Topic.POLICY);
                }
                return added == 1;
            });
        } catch (RuntimeException e) {
            // Two operators blocking the same tool at once: the loser finds it blocked, as asked.
            if (SqlErrors.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean remove(String workspace, String tool) {
        return jdbi.inTransaction(handle -> {
            int removed = handle.createUpdate("DELETE FROM blocked_tools WHERE workspace = :workspace AND tool = :tool")
                    .bind("workspace", workspace)
                    .bind("tool", tool)
                    .execute();
            if (removed == 1) {
                ChangeVersions.bump(handle, Topic.POLICY);
            }
            return removed == 1;
        });
    }

    private static BlockedTool map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new BlockedTool(rs.getString("workspace"), rs.getString("tool"),
                UtcTimestamps.read(rs, "created_at"), rs.getString("created_by"));
    }
}
