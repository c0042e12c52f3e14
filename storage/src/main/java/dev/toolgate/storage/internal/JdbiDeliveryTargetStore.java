package dev.toolgate.storage.internal;

import dev.toolgate.storage.DeliveryTarget;
import dev.toolgate.storage.DeliveryTargetStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/** {@link DeliveryTargetStore} on the {@code delivery_targets} table. */
public final class JdbiDeliveryTargetStore implements DeliveryTargetStore {
    private static final String COLUMNS = "id, workspace, name, target_type, target_config, signing_secret, default_severity,"
            + " created_at, updated_at";

    private final Jdbi jdbi;

    public JdbiDeliveryTargetStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void create(DeliveryTarget target) {
        jdbi.useHandle(handle -> bound(handle.createUpdate("INSERT INTO delivery_targets (" + COLUMNS + ") VALUES (:id,"
                        + " :workspace, :name, :type, :config, :secret, :severity, :created, :updated)"), target)
                .bind("created", target.createdAt())
                .execute());
    }

    @Override
    public List<DeliveryTarget> list(String workspace) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM delivery_targets"
                        + " WHERE workspace = :workspace ORDER BY created_at, id")
                .bind("workspace", workspace)
                .map((rs, ctx) -> read(rs))
                .list());
    }

    @Override
    public Optional<DeliveryTarget> find(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM delivery_targets"
                        + " WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .map((rs, ctx) -> read(rs))
                .findOne());
    }

    @Override
    public boolean update(DeliveryTarget target) {
        return jdbi.withHandle(handle -> bound(handle.createUpdate("UPDATE delivery_targets SET name = :name,"
                        + " target_type = :type, target_config = :config, signing_secret = :secret, default_severity = :severity,"
                        + " updated_at = :updated WHERE workspace = :workspace AND id = :id"), target)
                .execute()) == 1;
    }

    @Override
    public boolean delete(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM delivery_targets WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .execute()) == 1;
    }

    /** Binds every column but {@code created_at}. */
    private static Update bound(Update update, DeliveryTarget target) {
        return update.bind("id", target.id())
                .bind("workspace", target.workspace())
                .bind("name", target.name())
                .bind("type", target.type())
                .bind("config", target.config())
                .bind("secret", target.signingSecret())
                .bind("severity", target.defaultSeverity())
                .bind("updated", target.updatedAt());
    }

    private static DeliveryTarget read(ResultSet rs) throws SQLException {
        return new DeliveryTarget(rs.getString("id"), rs.getString("workspace"), rs.getString("name"), rs.getString("target_type"),
                rs.getString("target_config"), rs.getString("signing_secret"), rs.getString("default_severity"),
                UtcTimestamps.read(rs, "created_at"), UtcTimestamps.read(rs, "updated_at"));
    }
}
