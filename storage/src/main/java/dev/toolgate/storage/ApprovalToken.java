package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * The stored form of an approve or deny link: only the token's hash is kept.
 *
 * @param action {@code approve} or {@code deny}
 * @param channel where the link was sent: {@code email}, {@code slack}, {@code teams} or {@code api}
 * @param usedAt when the link was used or retired, or null while it can still be used
 */
public record ApprovalToken(String tokenHash, String approvalId, String action, String channel, Instant expiresAt, Instant usedAt) {
    public ApprovalToken {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
