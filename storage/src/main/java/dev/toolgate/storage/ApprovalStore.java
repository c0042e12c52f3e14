package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Durable held tool calls and their approve/deny link tokens. All methods are blocking. */
public interface ApprovalStore {

    /** Stores a new approval; called before the agent is told its call is pending. */
    void create(PendingApproval approval);

    Optional<PendingApproval> find(String workspace, String id);

    /** The newest approval still pending and not yet expired for this agent, tool and argument digest. */
    Optional<PendingApproval> findPending(String workspace, String agent, String tool, String argumentsDigest);

    /** Approvals newest first, optionally of one status; {@code page} is 1-based. */
    List<PendingApproval> list(String workspace, ApprovalStatus statusOrNull, int limit, int page);

    /**
     * Moves a pending approval to {@code APPROVED}, {@code DENIED} or {@code EXPIRED}. Only one of
     * several concurrent decisions wins: the others, and any decision on an approval that is no
     * longer pending, return false. An approval past its expiry can only be moved to {@code EXPIRED}.
     */
    boolean decide(String workspace, String id, ApprovalStatus to, String decidedBy, String note);

    /** Records the hash of an approve or deny link token ({@code action} is "approve" or "deny"). */
    void addToken(String approvalId, String tokenHash, String action, Instant expiresAt);
}
