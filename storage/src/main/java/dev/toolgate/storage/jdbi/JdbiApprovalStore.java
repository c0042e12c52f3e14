package dev.toolgate.storage.jdbi;

import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.ApprovalStore;
import dev.toolgate.storage.PendingApproval;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link ApprovalStore} on the {@code approvals} and {@code approval_tokens} tables. */
public final class JdbiApprovalStore implements ApprovalStore {
    private static final String COLUMNS = "id, workspace, agent, tool, tool_call_id, arguments, arguments_digest, rule_id,"
            + " policy_version, assistant_message, conversation_digest, approver_email, status, created_at, expires_at,"
            + " decided_at, decided_by, note";
    private static final Set<ApprovalStatus> DECISIONS = Set.of(ApprovalStatus.APPROVED, ApprovalStatus.DENIED, ApprovalStatus.EXPIRED);
    private static final Set<String> TOKEN_ACTIONS = Set.of("approve", "deny");
    private static final int MAX_LIMIT = 1000;

    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiApprovalStore(Jdbi jdbi, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void create(PendingApproval approval) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO approvals (" + COLUMNS + ") VALUES (:id, :workspace,"
                        + " :agent, :tool, :toolCallId, :arguments, :argumentsDigest, :ruleId, :policyVersion,"
                        + " :assistantMessage, :conversationDigest, :approverEmail, :status, :createdAt, :expiresAt,"
                        + " :decidedAt, :decidedBy, :note)")
                .bind("id", approval.id())
                .bind("workspace", approval.workspace())
                .bind("agent", approval.agent())
                .bind("tool", approval.tool())
                .bind("toolCallId", approval.toolCallId())
                .bind("arguments", approval.arguments())
                .bind("argumentsDigest", approval.argumentsDigest())
                .bind("ruleId", approval.ruleId())
                .bind("policyVersion", approval.policyVersion())
                .bind("assistantMessage", approval.assistantMessage())
                .bind("conversationDigest", approval.conversationDigest())
                .bind("approverEmail", approval.approverEmail())
                .bind("status", approval.status().value())
                .bind("createdAt", approval.createdAt())
                .bind("expiresAt", approval.expiresAt())
                .bindByType("decidedAt", approval.decidedAt(), Instant.class)
                .bind("decidedBy", approval.decidedBy())
                .bind("note", approval.note())
                .execute());
    }

    @Override
    public Optional<PendingApproval> find(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM approvals WHERE workspace = :workspace AND id = :id")
                .bind("workspace", workspace)
                .bind("id", id)
                .map(JdbiApprovalStore::map)
                .findOne());
    }

    @Override
    public Optional<PendingApproval> findPending(String workspace, String agent, String tool, String argumentsDigest) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM approvals"
                        + " WHERE workspace = :workspace AND agent = :agent AND tool = :tool"
                        + " AND arguments_digest = :argumentsDigest AND status = :pending AND expires_at > :now"
                        + " ORDER BY created_at DESC, id DESC LIMIT 1")
                .bind("workspace", workspace)
                .bind("agent", agent)
                .bind("tool", tool)
                .bind("argumentsDigest", argumentsDigest)
                .bind("pending", ApprovalStatus.PENDING.value())
                .bind("now", clock.instant())
                .map(JdbiApprovalStore::map)
                .findOne());
    }

    @Override
    public List<PendingApproval> list(String workspace, ApprovalStatus statusOrNull, int limit, int page) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
        if (page < 1) {
            throw new IllegalArgumentException("page: " + page + " (expected: 1 or more)");
        }
        String statusFilter = statusOrNull == null ? "" : " AND status = :status";
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT " + COLUMNS + " FROM approvals WHERE workspace = :workspace"
                            + statusFilter + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
                    .bind("workspace", workspace)
                    .bind("limit", limit)
                    .bind("offset", (long) (page - 1) * limit);
            if (statusOrNull != null) {
                query.bind("status", statusOrNull.value());
            }
            return query.map(JdbiApprovalStore::map).list();
        });
    }

    @Override
    public boolean decide(String workspace, String id, ApprovalStatus to, String decidedBy, String note) {
        if (!DECISIONS.contains(to)) {
            throw new IllegalArgumentException("decision: " + to + " (expected: APPROVED, DENIED or EXPIRED)");
        }
        // An approver's click after expiry must not grant the call; only the expiry sweep may still move it.
        String notExpired = to == ApprovalStatus.EXPIRED ? "" : " AND expires_at > :now";
        // The status condition makes the update the arbiter: of two concurrent decisions exactly one changes the row.
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE approvals SET status = :to, decided_at = :now,"
                        + " decided_by = :decidedBy, note = :note"
                        + " WHERE workspace = :workspace AND id = :id AND status = :pending" + notExpired)
                .bind("to", to.value())
                .bind("now", clock.instant())
                .bind("decidedBy", decidedBy)
                .bind("note", note)
                .bind("workspace", workspace)
                .bind("id", id)
                .bind("pending", ApprovalStatus.PENDING.value())
                .execute()) == 1;
    }

    @Override
    public void addToken(String approvalId, String tokenHash, String action, Instant expiresAt) {
        if (!TOKEN_ACTIONS.contains(action)) {
            throw new IllegalArgumentException("token action: " + action + " (expected: approve or deny)");
        }
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO approval_tokens (token_hash, approval_id, action, expires_at)"
                        + " VALUES (:tokenHash, :approvalId, :action, :expiresAt)")
                .bind("tokenHash", Objects.requireNonNull(tokenHash, "tokenHash"))
                .bind("approvalId", Objects.requireNonNull(approvalId, "approvalId"))
                .bind("action", action)
                .bind("expiresAt", Objects.requireNonNull(expiresAt, "expiresAt"))
                .execute());
    }

    private static PendingApproval map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new PendingApproval(
                rs.getString("id"),
                rs.getString("workspace"),
                rs.getString("agent"),
                rs.getString("tool"),
                rs.getString("tool_call_id"),
                rs.getString("arguments"),
                rs.getString("arguments_digest"),
                rs.getString("rule_id"),
                rs.getString("policy_version"),
                rs.getString("assistant_message"),
                rs.getString("conversation_digest"),
                rs.getString("approver_email"),
                ApprovalStatus.fromValue(rs.getString("status")),
                UtcTimestamps.read(rs, "created_at"),
                UtcTimestamps.read(rs, "expires_at"),
                UtcTimestamps.read(rs, "decided_at"),
                rs.getString("decided_by"),
                rs.getString("note"));
    }
}
