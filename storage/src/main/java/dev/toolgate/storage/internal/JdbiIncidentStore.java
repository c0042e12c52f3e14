package dev.toolgate.storage.internal;

import dev.toolgate.storage.Incident;
import dev.toolgate.storage.IncidentEntry;
import dev.toolgate.storage.IncidentQuery;
import dev.toolgate.storage.IncidentSeverity;
import dev.toolgate.storage.IncidentStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** {@link IncidentStore} on the {@code incidents} and {@code incident_entries} tables. */
public final class JdbiIncidentStore implements IncidentStore {
    private static final String COLUMNS = "id, workspace, agent, status, severity, title, opened_at, updated_at, last_signal_at,"
            + " signal_count, resolved_at, resolved_by";
    /** Severity ranked for sorting: the stored words do not sort in order. */
    private static final String SEVERITY_RANK = "CASE severity WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END";

    private final Jdbi jdbi;

    public JdbiIncidentStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    @Override
    public Optional<Incident> openOrJoin(String workspace, String agent, IncidentEntry signal, Duration window, boolean mayOpen,
                                         String newId, String title) {
        return jdbi.inTransaction(handle -> {
            Optional<Incident> open = handle.createQuery("SELECT " + COLUMNS + " FROM incidents WHERE workspace = :workspace"
                            + " AND agent = :agent AND status = 'open' AND last_signal_at >= :after"
                            + " ORDER BY last_signal_at DESC, id LIMIT 1")
                    .bind("workspace", workspace)
                    .bind("agent", agent)
                    .bind("after", signal.at().minus(window))
                    .map(JdbiIncidentStore::map)
                    .findOne();
            String id;
            if (open.isPresent()) {
                Incident joined = open.get();
                id = joined.id();
                IncidentSeverity severity = signal.severity() == null ? joined.severity() : joined.severity().max(signal.severity());
                Instant last = signal.at().isAfter(joined.lastSignalAt()) ? signal.at() : joined.lastSignalAt();
                handle.createUpdate("UPDATE incidents SET severity = :severity, last_signal_at = :last, updated_at = :at,"
                                + " signal_count = signal_count + 1 WHERE id = :id")
                        .bind("severity", severity.value())
                        .bind("last", last)
                        .bind("at", signal.at())
                        .bind("id", id)
                        .execute();
            } else if (mayOpen) {
                id = newId;
                handle.createUpdate("INSERT INTO incidents (" + COLUMNS + ") VALUES (:id, :workspace, :agent, 'open', :severity,"
                                + " :title, :at, :at, :at, 1, NULL, NULL)")
                        .bind("id", id)
                        .bind("workspace", workspace)
                        .bind("agent", agent)
                        .bind("severity", (signal.severity() == null ? IncidentSeverity.LOW : signal.severity()).value())
                        .bind("title", title)
                        .bind("at", signal.at())
                        .execute();
            } else {
                return Optional.<Incident>empty();
            }
            insertEntry(handle, signal.of(id));
            return find(handle, workspace, id);
        });
    }

    @Override
    public Page page(IncidentQuery query) {
        StringBuilder where = new StringBuilder(" WHERE workspace = :workspace");
        if (query.status() != null) {
            where.append(" AND status = :status");
        }
        if (query.severity() != null) {
            where.append(" AND severity = :severity");
        }
        if (query.agent() != null) {
            where.append(" AND agent = :agent");
        }
        if (query.since() != null) {
            where.append(" AND opened_at >= :since");
        }
        if (query.until() != null) {
            where.append(" AND opened_at < :until");
        }
        String order = switch (query.sort()) {
            case OPENED_AT -> "opened_at";
            case UPDATED_AT -> "updated_at";
            case SEVERITY -> SEVERITY_RANK;
            case SIGNAL_COUNT -> "signal_count";
        };
        String direction = query.descending() ? " DESC" : " ASC";
        return jdbi.withHandle(handle -> {
            long total = bindFilters(handle.createQuery("SELECT COUNT(*) FROM incidents" + where), query)
                    .mapTo(Long.class).one();
            List<Incident> incidents = bindFilters(handle.createQuery("SELECT " + COLUMNS + " FROM incidents" + where
                            + " ORDER BY " + order + direction + ", opened_at" + direction + ", id" + direction
                            + " LIMIT :limit OFFSET :offset"), query)
                    .bind("limit", query.limit())
                    .bind("offset", query.offset())
                    .map(JdbiIncidentStore::map)
                    .list();
            return new Page(incidents, total);
        });
    }

    private static Query bindFilters(Query statement, IncidentQuery query) {
        statement.bind("workspace", query.workspace());
        if (query.status() != null) {
            statement.bind("status", query.status());
        }
        if (query.severity() != null) {
            statement.bind("severity", query.severity().value());
        }
        if (query.agent() != null) {
            statement.bind("agent", query.agent());
        }
        if (query.since() != null) {
            statement.bind("since", query.since());
        }
        if (query.until() != null) {
            statement.bind("until", query.until());
        }
        return statement;
    }

    @Override
    public Optional<Incident> find(String workspace, String id) {
        return jdbi.withHandle(handle -> find(handle, workspace, id));
    }

    private static Optional<Incident> find(Handle handle, String workspace, String id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM incidents WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .map(JdbiIncidentStore::map)
                .findOne();
    }

    @Override
    public List<IncidentEntry> entries(String incidentId, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, incident_id, at, kind, severity, summary, audit_event_id,"
                        + " author FROM incident_entries WHERE incident_id = :incident ORDER BY at, id LIMIT :limit")
                .bind("incident", incidentId)
                .bind("limit", limit)
                .map((rs, ctx) -> new IncidentEntry(rs.getLong("id"), rs.getString("incident_id"), UtcTimestamps.read(rs, "at"),
                        rs.getString("kind"), rs.getString("severity") == null ? null : IncidentSeverity.fromValue(rs.getString("severity")),
                        rs.getString("summary"), rs.getString("audit_event_id"), rs.getString("author")))
                .list());
    }

    @Override
    public Optional<Incident> changeStatus(String workspace, String id, String status, IncidentEntry change) {
        return jdbi.inTransaction(handle -> {
            Optional<Incident> found = find(handle, workspace, id);
            if (found.isEmpty() || found.get().status().equals(status)) {
                return found;
            }
            boolean resolving = status.equals(Incident.RESOLVED);
            handle.createUpdate("UPDATE incidents SET status = :status, updated_at = :at, resolved_at = :resolvedAt,"
                            + " resolved_by = :resolvedBy WHERE workspace = :workspace AND id = :id")
                    .bind("status", status)
                    .bind("at", change.at())
                    .bindByType("resolvedAt", resolving ? change.at() : null, Instant.class)
                    .bind("resolvedBy", resolving ? change.author() : null)
                    .bind("workspace", workspace)
                    .bind("id", id)
                    .execute();
            insertEntry(handle, change.of(id));
            return find(handle, workspace, id);
        });
    }

    @Override
    public boolean addNote(String workspace, String id, IncidentEntry note) {
        return jdbi.inTransaction(handle -> {
            if (find(handle, workspace, id).isEmpty()) {
                return false;
            }
            handle.createUpdate("UPDATE incidents SET updated_at = :at WHERE id = :id")
                    .bind("at", note.at())
                    .bind("id", id)
                    .execute();
            insertEntry(handle, note.of(id));
            return true;
        });
    }

    private static void insertEntry(Handle handle, IncidentEntry entry) {
        handle.createUpdate("INSERT INTO incident_entries (incident_id, at, kind, severity, summary, audit_event_id, author)"
                        + " VALUES (:incident, :at, :kind, :severity, :summary, :auditEventId, :author)")
                .bind("incident", entry.incidentId())
                .bind("at", entry.at())
                .bind("kind", entry.kind())
                .bind("severity", entry.severity() == null ? null : entry.severity().value())
                .bind("summary", entry.summary())
                .bind("auditEventId", entry.auditEventId())
                .bind("author", entry.author())
                .execute();
    }

    private static Incident map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Incident(rs.getString("id"), rs.getString("workspace"), rs.getString("agent"), rs.getString("status"),
                IncidentSeverity.fromValue(rs.getString("severity")), rs.getString("title"), UtcTimestamps.read(rs, "opened_at"),
                UtcTimestamps.read(rs, "updated_at"), UtcTimestamps.read(rs, "last_signal_at"), rs.getInt("signal_count"),
                UtcTimestamps.read(rs, "resolved_at"), rs.getString("resolved_by"));
    }
}
