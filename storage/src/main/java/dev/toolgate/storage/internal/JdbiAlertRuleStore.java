package dev.toolgate.storage.internal;

import dev.toolgate.storage.AlertRuleStore;
import dev.toolgate.storage.StoredAlertRule;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@link AlertRuleStore} on the {@code alert_rules} table. */
public final class JdbiAlertRuleStore implements AlertRuleStore {
    private static final String COLUMNS = "id, workspace, name, rule_condition, delivery_targets, severity, created_at";

    private final Jdbi jdbi;

    public JdbiAlertRuleStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void create(StoredAlertRule rule) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO alert_rules (" + COLUMNS + ") VALUES (:id, :workspace, :name,"
                        + " :condition, :targets, :severity, :created)")
                .bind("id", rule.id())
                .bind("workspace", rule.workspace())
                .bind("name", rule.name())
                .bind("condition", rule.condition())
                .bind("targets", rule.deliveryTargets())
                .bind("severity", rule.severity())
                .bind("created", rule.createdAt())
                .execute());
    }

    @Override
    public List<StoredAlertRule> all() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM alert_rules ORDER BY created_at, id")
                .map((rs, ctx) -> read(rs))
                .list());
    }

    @Override
    public List<StoredAlertRule> list(String workspace) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM alert_rules"
                        + " WHERE workspace = :workspace ORDER BY created_at, id")
                .bind("workspace", workspace)
                .map((rs, ctx) -> read(rs))
                .list());
    }

    @Override
    public Optional<StoredAlertRule> find(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM alert_rules"
                        + " WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .map((rs, ctx) -> read(rs))
                .findOne());
    }

    @Override
    public boolean delete(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM alert_rules WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .execute()) == 1;
    }

    private static StoredAlertRule read(ResultSet rs) throws SQLException {
        return new StoredAlertRule(rs.getString("id"), rs.getString("workspace"), rs.getString("name"),
                rs.getString("rule_condition"), rs.getString("delivery_targets"), rs.getString("severity"),
                UtcTimestamps.read(rs, "created_at"));
    }
}
