package dev.toolgate.proxy.notify;

import java.time.Instant;
import java.util.Objects;

/** What approvers are told when a held call expired undecided (it counts as denied). Arguments already redacted. */
public record ExpiryNotice(String approvalId, String workspace, String agent, String tool, String redactedArguments,
                           String ruleId, String ruleText, Instant expiredAt, String recipientEmail) {

    public ExpiryNotice {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(expiredAt, "expiredAt");
    }
}
