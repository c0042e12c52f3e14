package dev.toolgate.storage;

import java.time.Instant;

/**
 * A time-limited allow rule an approver granted with an approval: the same tool for the same agent
 * in the same workspace, until {@code expiresAt}, at most {@code maxCalls} calls (null: no limit),
 * with arguments within {@code bounds}.
 *
 * @param approvalId the approval it was granted with
 * @param baseArguments canonical arguments of the approved call; arguments the bounds do not name must keep these values
 * @param bounds JSON object: argument name to {@code {min, max, equals, one_of}}
 * @param endedAt when its end (revoked, expired or used up) was audited; null while it may still be used
 */
public record StandingApproval(String id, String workspace, String agent, String tool, String approvalId, String baseArguments,
                               String bounds, String createdBy, String note, Instant createdAt, Instant expiresAt,
                               Integer maxCalls, int usedCalls, Instant revokedAt, String revokedBy, Instant endedAt) {

    /** active, revoked, expired or used_up, as of {@code now}. */
    public String status(Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (maxCalls != null && usedCalls >= maxCalls) {
            return "used_up";
        }
        return now.isBefore(expiresAt) ? "active" : "expired";
    }
}
