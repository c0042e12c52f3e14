package dev.toolgate.storage.internal;

import dev.toolgate.storage.PolicyVersion;
import dev.toolgate.storage.PolicyVersionStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link PolicyVersionStore} on the {@code policy_versions} table. */
public final class JdbiPolicyVersionStore implements PolicyVersionStore {
    private static final String COLUMNS = "id, workspace, number, manifest, rules_version, restored_from, created_at, created_by,"
            + " applied_at, applied_by";

    private final Jdbi jdbi;

    public JdbiPolicyVersionStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    @Override
    public List<PolicyVersion> list(String workspace) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM policy_versions WHERE workspace = :workspace ORDER BY number DESC")
                .bind("workspace", workspace)
                .map(JdbiPolicyVersionStore::map)
                .list());
    }

    @Override
    public Optional<PolicyVersion> find(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM policy_versions WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .map(JdbiPolicyVersionStore::map)
                .findOne());
    }

    @Override
    public PolicyVersion create(String id, String workspace, String manifest, String rulesVersion, String restoredFrom,
                                Instant createdAt, String createdBy, Instant appliedAt) {
        // The unique (workspace, number) constraint refuses a number taken by a concurrent writer.
        jdbi.useTransaction(handle -> {
            int number = handle.createQuery("SELECT COALESCE(MAX(number), 0) + 1 FROM policy_versions WHERE workspace = :workspace")
                    .bind("workspace", workspace).mapTo(Integer.class).one();
            handle.createUpdate("INSERT INTO policy_versions (" + COLUMNS + ") VALUES (:id, :workspace, :number, :manifest,"
                            + " :rulesVersion, :restoredFrom, :createdAt, :createdBy, :appliedAt, :appliedBy)")
                    .bind("id", id)
                    .bind("workspace", workspace)
                    .bind("number", number)
                    .bind("manifest", manifest)
                    .bind("rulesVersion", rulesVersion)
                    .bind("restoredFrom", restoredFrom)
                    .bind("createdAt", createdAt)
                    .bind("createdBy", createdBy)
                    .bind("appliedAt", appliedAt)
                    .bind("appliedBy", appliedAt == null ? null : createdBy)
                    .execute();
        });
        return find(workspace, id).orElseThrow();
    }

    @Override
    public boolean markApplied(String workspace, String id, Instant appliedAt, String appliedBy) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE policy_versions SET applied_at = :appliedAt, applied_by = :appliedBy"
                        + " WHERE workspace = :workspace AND id = :id AND applied_at IS NULL")
                .bind("appliedAt", appliedAt)
                .bind("appliedBy", appliedBy)
                .bind("workspace", workspace)
                .bind("id", id)
                .execute()) == 1;
    }

    private static PolicyVersion map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new PolicyVersion(
                rs.getString("id"),
                rs.getString("workspace"),
                rs.getInt("number"),
                rs.getString("manifest"),
                rs.getString("rules_version"),
                rs.getString("restored_from"),
                UtcTimestamps.read(rs, "created_at"),
                rs.getString("created_by"),
                UtcTimestamps.read(rs, "applied_at"),
                rs.getString("applied_by"));
    }
}
