package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/** When an approved call was replayed to the agent, and for whom ({@code consumedBy} may be null). */
public record ApprovalConsumption(String approvalId, Instant consumedAt, String consumedBy) {
    public ApprovalConsumption {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(consumedAt, "consumedAt");
    }
}
