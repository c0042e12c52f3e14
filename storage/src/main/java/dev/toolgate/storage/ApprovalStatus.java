package dev.toolgate.storage;

import java.util.Locale;

/** Where a held tool call is in its life: waiting, decided, expired, or replayed to the agent. */
public enum ApprovalStatus {
    PENDING,
    APPROVED,
    DENIED,
    EXPIRED,
    CONSUMED;

    /** The lower-case form stored in the database and shown in the API. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ApprovalStatus fromValue(String value) {
        for (ApprovalStatus status : values()) {
            if (status.value().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("approval status: " + value + " (expected: pending, approved, denied, expired or consumed)");
    }
}
