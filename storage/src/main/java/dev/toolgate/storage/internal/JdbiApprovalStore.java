package dev.toolgate.storage.internal;

import dev.toolgate.storage.ApprovalConsumption;
import dev.toolgate.storage.ApprovalQuery;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.ApprovalStore;
import dev.toolgate.storage.ApprovalToken;
import dev.toolgate.storage.ChangeFeed.Topic;
import dev.toolgate.storage.PendingApproval;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link ApprovalStore} on the {@code approvals} and {@code approval_tokens} tables. */
public final class JdbiApprovalStore implements ApprovalStore {
    private static final String COLUMNS = "id, workspace, agent, tool, tool_call_id, arguments, arguments_digest, rule_id,"
            + " policy_version, assistant_message, conversation_digest, approver_email, status, created_at, expires_at,"
            + " decided_at, decided_by, note";
    private static final Set<ApprovalStatus> DECISIONS = Set.of(ApprovalStatus.APPROVED, ApprovalStatus.DENIED, ApprovalStatus.EXPIRED);
    private static final String TOKEN_COLUMNS = "token_hash, approval_id, action, channel, expires_at, used_at";
    private static final Set<String> TOKEN_ACTIONS = Set.of("approve", "deny");
    private static final Set<String> TOKEN_CHANNELS = Set.of("email", "slack", "teams", "api");
    /** decided_by of approvals moved by the expiry sweep. */
    static final String EXPIRY = "expiry";
    private static final int MAX_LIMIT = 1000;

    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiApprovalStore(Jdbi jdbi, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void create(PendingApproval approval) {
        jdbi.useTransaction(handle -> {
            insert(handle, approval);
            ChangeVersions.bump(handle, Topic.APPROVALS);
        });
    }

    private static void insert(Handle handle, PendingApproval approval) {
        handle.createUpdate("INSERT INTO approvals (" + COLUMNS + ") VALUES (:id, :workspace,"
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
                .execute();
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
    public List<PendingApproval> createdSince(Instant since, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM approvals"
                        + " WHERE created_at >= :since ORDER BY created_at, id LIMIT :limit")
                .bind("since", since)
                .bind("limit", limit)
                .map(JdbiApprovalStore::map)
                .list());
    }

    @Override
    public Optional<PendingApproval> findById(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM approvals WHERE id = :id")
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
    public Optional<PendingApproval> findLatestForConversation(String workspace, String agent, String conversationDigest) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM approvals"
                        + " WHERE workspace = :workspace AND agent = :agent AND conversation_digest = :conversationDigest"
                        + " ORDER BY created_at DESC, id DESC LIMIT 1")
                .bind("workspace", workspace)
                .bind("agent", agent)
                .bind("conversationDigest", conversationDigest)
                .map(JdbiApprovalStore::map)
                .findOne());
    }

    @Override
    public Optional<PendingApproval> findLatestFor(String workspace, String agent, String tool, String argumentsDigest) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM approvals"
                        + " WHERE workspace = :workspace AND agent = :agent AND tool = :tool"
                        + " AND arguments_digest = :argumentsDigest"
                        + " ORDER BY created_at DESC, id DESC LIMIT 1")
                .bind("workspace", workspace)
                .bind("agent", agent)
                .bind("tool", tool)
                .bind("argumentsDigest", argumentsDigest)
                .map(JdbiApprovalStore::map)
                .findOne());
    }

    @Override
    public List<PendingApproval> list(ApprovalQuery filter) {
        StringBuilder where = new StringBuilder(" WHERE workspace = :workspace");
        if (filter.status() != null) {
            where.append(" AND status = :status");
        }
        if (filter.tool() != null) {
            where.append(" AND tool = :tool");
        }
        if (filter.since() != null) {
            where.append(" AND created_at >= :since");
        }
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT " + COLUMNS + " FROM approvals" + where
                            + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
                    .bind("workspace", filter.workspace())
                    .bind("limit", filter.limit())
                    .bind("offset", (long) (filter.page() - 1) * filter.limit());
            if (filter.status() != null) {
                query.bind("status", filter.status().value());
            }
            if (filter.tool() != null) {
                query.bind("tool", filter.tool());
            }
            if (filter.since() != null) {
                query.bind("since", filter.since());
            }
            return query.map(JdbiApprovalStore::map).list();
        });
    }


    @Override
    public long countByStatus(String workspace, ApprovalStatus status) {
        Objects.requireNonNull(status, "status");
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM approvals"
                        + " WHERE workspace = :workspace AND status = :status")
                .bind("workspace", workspace)
                .bind("status", status.value())
                .mapTo(Long.class)
                .one());
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
    public boolean consume(String workspace, String id, String consumedBy) {
        // As in decide, the status condition lets exactly one of two concurrent replays change the row.
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE approvals SET status = :consumed,"
                        + " consumed_at = :now, consumed_by = :consumedBy"
                        + " WHERE workspace = :workspace AND id = :id AND status = :approved")
                .bind("consumed", ApprovalStatus.CONSUMED.value())
                .bind("now", clock.instant())
                .bind("consumedBy", consumedBy)
                .bind("workspace", workspace)
                .bind("id", id)
                .bind("approved", ApprovalStatus.APPROVED.value())
                .execute()) == 1;
    }

    @Override
    public Optional<ApprovalConsumption> consumption(String workspace, String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, consumed_at, consumed_by FROM approvals"
                        + " WHERE workspace = :workspace AND id = :id AND consumed_at IS NOT NULL")
                .bind("workspace", workspace)
                .bind("id", id)
                .map((rs, ctx) -> new ApprovalConsumption(rs.getString("id"), UtcTimestamps.read(rs, "consumed_at"),
                        rs.getString("consumed_by")))
                .findOne());
    }

    @Override
    public List<PendingApproval> expireDue(Instant now, int limit) {
        Objects.requireNonNull(now, "now");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
        // Portable claim without SKIP LOCKED: read candidates, then move each with a conditional UPDATE.
        // A concurrent sweeper that moved a candidate first makes our UPDATE change nothing, so every
        // approval is claimed once. Lost candidates are no longer pending, so the next read skips them.
        return jdbi.withHandle(handle -> {
            List<String> moved = new ArrayList<>();
            while (moved.size() < limit) {
                List<String> due = handle.createQuery("SELECT id FROM approvals WHERE status = :pending"
                                + " AND expires_at <= :now ORDER BY expires_at, id LIMIT :limit")
                        .bind("pending", ApprovalStatus.PENDING.value())
                        .bind("now", now)
                        .bind("limit", limit - moved.size())
                        .mapTo(String.class)
                        .list();
                if (due.isEmpty()) {
                    break;
                }
                for (String id : due) {
                    int changed = handle.createUpdate("UPDATE approvals SET status = :expired, decided_at = :now,"
                                    + " decided_by = :expiry WHERE id = :id AND status = :pending AND expires_at <= :now")
                            .bind("expired", ApprovalStatus.EXPIRED.value())
                            .bind("now", now)
                            .bind("expiry", EXPIRY)
                            .bind("id", id)
                            .bind("pending", ApprovalStatus.PENDING.value())
                            .execute();
                    if (changed == 1) {
                        moved.add(id);
                    }
                }
            }
            if (moved.isEmpty()) {
                return List.of();
            }
            // An expired approval never changes again, so reading it back returns exactly what this call stored.
            return handle.createQuery("SELECT " + COLUMNS + " FROM approvals WHERE id IN (<ids>) ORDER BY expires_at, id")
                    .bindList("ids", moved)
                    .map(JdbiApprovalStore::map)
                    .list();
        });
    }

    @Override
    public void addToken(String approvalId, String tokenHash, String action, String channel, Instant expiresAt) {
        if (!TOKEN_ACTIONS.contains(action)) {
            throw new IllegalArgumentException("token action: " + action + " (expected: approve or deny)");
        }
        if (!TOKEN_CHANNELS.contains(channel)) {
            throw new IllegalArgumentException("token channel: " + channel + " (expected: email, slack, teams or api)");
        }
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO approval_tokens (token_hash, approval_id, action, channel,"
                        + " expires_at) VALUES (:tokenHash, :approvalId, :action, :channel, :expiresAt)")
                .bind("tokenHash", Objects.requireNonNull(tokenHash, "tokenHash"))
                .bind("approvalId", Objects.requireNonNull(approvalId, "approvalId"))
                .bind("action", action)
                .bind("channel", channel)
                .bind("expiresAt", Objects.requireNonNull(expiresAt, "expiresAt"))
                .execute());
    }

    @Override
    public Optional<ApprovalToken> findToken(String tokenHash) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + TOKEN_COLUMNS
                        + " FROM approval_tokens WHERE token_hash = :tokenHash")
                .bind("tokenHash", tokenHash)
                .map((rs, ctx) -> new ApprovalToken(rs.getString("token_hash"), rs.getString("approval_id"),
                        rs.getString("action"), rs.getString("channel"), UtcTimestamps.read(rs, "expires_at"),
                        UtcTimestamps.read(rs, "used_at")))
                .findOne());
    }

    @Override
    public boolean useToken(String tokenHash, Instant now) {
        Objects.requireNonNull(now, "now");
        // The used_at condition makes the update the arbiter: a link clicked twice at once decides once.
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE approval_tokens SET used_at = :now"
                        + " WHERE token_hash = :tokenHash AND used_at IS NULL AND expires_at > :now")
                .bind("now", now)
                .bind("tokenHash", tokenHash)
                .execute()) == 1;
    }

    @Override
    public void retireTokens(String approvalId, Instant now) {
        Objects.requireNonNull(now, "now");
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE approval_tokens SET used_at = :now"
                        + " WHERE approval_id = :approvalId AND used_at IS NULL")
                .bind("now", now)
                .bind("approvalId", approvalId)
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
