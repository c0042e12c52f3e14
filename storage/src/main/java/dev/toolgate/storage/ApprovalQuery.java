package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * Which approvals to list, newest first: one workspace, optionally one status, one tool and only
 * those created since a time; one page of them.
 */
public record ApprovalQuery(String workspace, ApprovalStatus status, String tool, Instant since, int limit, int page) {
    public ApprovalQuery {
        Objects.requireNonNull(workspace, "workspace");
        if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + AuditQuery.MAX_LIMIT + ")");
        }
        if (page < 1) {
            throw new IllegalArgumentException("page: " + page + " (expected: 1 or more)");
        }
    }
}
