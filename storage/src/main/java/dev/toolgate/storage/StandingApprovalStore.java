package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Durable standing approvals ({@link StandingApproval}). All methods are blocking. */
public interface StandingApprovalStore {

    void create(StandingApproval grant);

    Optional<StandingApproval> find(String workspace, String id);

    /** A workspace's grants, newest first, at most {@code limit}; ended ones too when {@code includeEnded}. */
    List<StandingApproval> list(String workspace, boolean includeEnded, int limit);

    /** Grants for this agent and tool that may be used at {@code now} (not revoked, unexpired, calls left), oldest first. */
    List<StandingApproval> usable(String workspace, String agent, String tool, Instant now);

    /**
     * Counts one call against the grant if it may still be used at {@code now}. Of several concurrent
     * users of its last call exactly one gets true.
     */
    boolean use(String workspace, String id, Instant now);

    /** Revokes a grant still in force; false when there is none or it had ended (revoked, expired or used up). */
    boolean revoke(String workspace, String id, String revokedBy, Instant now);

    /**
     * Marks up to {@code limit} grants that ran out (expired, or every call used) as ended at
     * {@code now}, in every workspace, and returns those this call marked: each to exactly one of
     * several sweeping instances.
     */
    List<StandingApproval> endDue(Instant now, int limit);
}
