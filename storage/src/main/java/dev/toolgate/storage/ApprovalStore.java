package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Durable held tool calls and their approve/deny link tokens. All methods are blocking. */
public interface ApprovalStore {

    /** Stores a new approval; called before the agent is told its call is pending. */
    void create(PendingApproval approval);

    Optional<PendingApproval> find(String workspace, String id);

    /** The approval with this id in any workspace, for link tokens, which carry no gateway key. */
    Optional<PendingApproval> findById(String id);

    /** The newest approval still pending and not yet expired for this agent, tool and argument digest. */
    Optional<PendingApproval> findPending(String workspace, String agent, String tool, String argumentsDigest);

    /** The newest approval in any status for this agent and conversation digest: the agent's retry of a held request. */
    Optional<PendingApproval> findLatestForConversation(String workspace, String agent, String conversationDigest);

    /**
     * The newest approval in any status for this agent, tool and argument digest, to recognise a call
     * proposed again in a new conversation.
     */
    Optional<PendingApproval> findLatestFor(String workspace, String agent, String tool, String argumentsDigest);

    /** Approvals created at or after {@code since}, oldest first, at most {@code limit}. */
    List<PendingApproval> createdSince(Instant since, int limit);

    /** Approvals newest first, optionally of one status; {@code page} is 1-based. */
    default List<PendingApproval> list(String workspace, ApprovalStatus statusOrNull, int limit, int page) {
        return list(new ApprovalQuery(workspace, statusOrNull, null, null, limit, page));
    }

    /** Approvals matching every filter the query sets, newest first. */
    List<PendingApproval> list(ApprovalQuery query);

    /** Number of approvals of a workspace in this status. */
    long countByStatus(String workspace, ApprovalStatus status);

    /**
     * Moves a pending approval to {@code APPROVED}, {@code DENIED} or {@code EXPIRED}. Only one of
     * several concurrent decisions wins: the others, and any decision on an approval that is no
     * longer pending, return false. An approval past its expiry can only be moved to {@code EXPIRED}.
     */
    boolean decide(String workspace, String id, ApprovalStatus to, String decidedBy, String note);

    /**
     * Moves an approved approval to {@code CONSUMED} as its call is replayed to the agent, recording
     * when and for whom; the approver's decided_at and decided_by are kept. Of several concurrent
     * consumers exactly one gets true; any approval that is not {@code APPROVED} gives false.
     */
    boolean consume(String workspace, String id, String consumedBy);

    /** When and for whom the approval was consumed; empty when it was not (or does not exist). */
    Optional<ApprovalConsumption> consumption(String workspace, String id);

    /** When the approval was consumed; empty when it was not (or does not exist). */
    default Optional<Instant> consumedAt(String workspace, String id) {
        return consumption(workspace, id).map(ApprovalConsumption::consumedAt);
    }

    /**
     * Moves up to {@code limit} pending approvals whose expiry is at or before {@code now}, in every
     * workspace, to {@code EXPIRED} (decided at {@code now} by {@code "expiry"}) and returns the ones
     * this call moved, as stored, soonest expiry first. Several gateways may sweep at once: each
     * approval is returned to exactly one of them. Fewer than {@code limit} means none were left due.
     */
    List<PendingApproval> expireDue(Instant now, int limit);

    /** Records the hash of an email approve or deny link token ({@code action} is "approve" or "deny"). */
    default void addToken(String approvalId, String tokenHash, String action, Instant expiresAt) {
        addToken(approvalId, tokenHash, action, "email", expiresAt);
    }

    /**
     * Records the hash of an approve or deny link token ({@code action} is "approve" or "deny") sent
     * on {@code channel}: "email", "slack", "teams" or "api".
     */
    void addToken(String approvalId, String tokenHash, String action, String channel, Instant expiresAt);

    Optional<ApprovalToken> findToken(String tokenHash);

    /**
     * Marks a link token used at {@code now} if it is unused and not expired. Of several concurrent
     * uses exactly one gets true; a used, retired, expired or unknown token gives false.
     */
    boolean useToken(String tokenHash, Instant now);

    /** Marks every unused token of an approval used at {@code now}: once decided on any channel, no link works. */
    void retireTokens(String approvalId, Instant now);
}
