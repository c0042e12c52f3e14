package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.internal.JsonLists;
import dev.toolgate.storage.internal.UtcTimestamps;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** How an {@link AuditEvent} maps to a row of {@code audit_events}, both ways. */
final class AuditEventRows {
    static final String COLUMNS = "id, event_id, event_time, workspace, agent, source, tool, tool_call_id, arguments,"
            + " decision, rules, reasons, risk_score, approval_id, policy_version, model, upstream_status,"
            + " overhead_micros, decided_by";

    /** Positional: the audit writer binds with plain JDBC, the hottest statement the gateway runs. */
    static final String INSERT = "INSERT INTO audit_events (event_id, event_time, workspace, agent, source, tool,"
            + " tool_call_id, arguments, decision, rules, reasons, risk_score, approval_id, policy_version, model,"
            + " upstream_status, overhead_micros, decided_by, prev_hash, hash)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private AuditEventRows() {
    }

    /** Inserts the events in order in one batch on the handle's connection; the caller owns the transaction. */
    static void insertAll(Handle handle, List<ChainedEvent> events) throws SQLException {
        try (PreparedStatement insert = handle.getConnection().prepareStatement(INSERT)) {
            for (ChainedEvent chained : events) {
                add(insert, chained.event(), chained.prevHash(), chained.hash());
            }
            insert.executeBatch();
        }
    }

    /** Binds one event with its chain link ({@link AuditChain}) and adds it to the batch; the id is left to the database. */
    static void add(PreparedStatement batch, AuditEvent event, String prevHash, String hash) throws SQLException {
        batch.setString(1, event.eventId());
        UtcTimestamps.bind(batch, 2, event.time());
        batch.setString(3, event.workspace());
        batch.setString(4, event.agent());
        batch.setString(5, event.source());
        batch.setString(6, event.tool());
        batch.setString(7, event.toolCallId());
        batch.setString(8, event.arguments());
        batch.setString(9, event.decision());
        batch.setString(10, JsonLists.write(event.rules()));
        batch.setString(11, JsonLists.write(event.reasons()));
        batch.setDouble(12, event.riskScore());
        batch.setString(13, event.approvalId());
        batch.setString(14, event.policyVersion());
        batch.setString(15, event.model());
        if (event.upstreamStatus() == null) {
            batch.setNull(16, Types.INTEGER);
        } else {
            batch.setInt(16, event.upstreamStatus());
        }
        batch.setLong(17, event.overheadMicros());
        batch.setString(18, event.decidedBy());
        batch.setString(19, prevHash);
        batch.setString(20, hash);
        batch.addBatch();
    }

    static AuditEvent map(ResultSet rs, StatementContext ctx) throws SQLException {
        int status = rs.getInt("upstream_status");
        Integer upstreamStatus = rs.wasNull() ? null : status;
        return new AuditEvent(
                rs.getLong("id"),
                rs.getString("event_id"),
                UtcTimestamps.read(rs, "event_time"),
                rs.getString("workspace"),
                rs.getString("agent"),
                rs.getString("source"),
                rs.getString("tool"),
                rs.getString("tool_call_id"),
                rs.getString("arguments"),
                rs.getString("decision"),
                JsonLists.read(rs.getString("rules")),
                JsonLists.read(rs.getString("reasons")),
                rs.getDouble("risk_score"),
                rs.getString("approval_id"),
                rs.getString("policy_version"),
                rs.getString("model"),
                upstreamStatus,
                rs.getLong("overhead_micros"),
                rs.getString("decided_by"));
    }
}
