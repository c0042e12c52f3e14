package dev.toolgate.storage.jdbi;

import dev.toolgate.storage.AuditEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/** How an {@link AuditEvent} maps to a row of {@code audit_events}, both ways. */
final class AuditEventRows {
    static final String COLUMNS = "id, event_id, event_time, workspace, agent, source, tool, tool_call_id, arguments,"
            + " decision, rules, reasons, risk_score, approval_id, policy_version, model, upstream_status,"
            + " overhead_micros, decided_by";

    static final String INSERT = "INSERT INTO audit_events (event_id, event_time, workspace, agent, source, tool,"
            + " tool_call_id, arguments, decision, rules, reasons, risk_score, approval_id, policy_version, model,"
            + " upstream_status, overhead_micros, decided_by, prev_hash, hash) VALUES (:eventId, :time, :workspace, :agent,"
            + " :source, :tool, :toolCallId, :arguments, :decision, :rules, :reasons, :riskScore, :approvalId,"
            + " :policyVersion, :model, :upstreamStatus, :overheadMicros, :decidedBy, :prevHash, :hash)";

    private AuditEventRows() {
    }

    /** Binds one event with its chain link ({@link AuditChain}) and adds it to the batch; the id is left to the database. */
    static void add(PreparedBatch batch, AuditEvent event, String prevHash, String hash) {
        batch.bind("eventId", event.eventId())
                .bind("time", event.time())
                .bind("workspace", event.workspace())
                .bind("agent", event.agent())
                .bind("source", event.source())
                .bind("tool", event.tool())
                .bind("toolCallId", event.toolCallId())
                .bind("arguments", event.arguments())
                .bind("decision", event.decision())
                .bind("rules", JsonLists.write(event.rules()))
                .bind("reasons", JsonLists.write(event.reasons()))
                .bind("riskScore", event.riskScore())
                .bind("approvalId", event.approvalId())
                .bind("policyVersion", event.policyVersion())
                .bind("model", event.model())
                .bind("upstreamStatus", event.upstreamStatus())
                .bind("overheadMicros", event.overheadMicros())
                .bind("decidedBy", event.decidedBy())
                .bind("prevHash", prevHash)
                .bind("hash", hash)
                .add();
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
