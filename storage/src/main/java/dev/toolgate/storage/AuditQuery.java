package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * Which audit events to list: one workspace, optionally one decision, one tool, one agent and
 * events at or after {@code since}; {@code page} is 1-based and holds {@code limit} events.
 */
public record AuditQuery(String workspace, String decision, String tool, String agent, Instant since, int limit, int page) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        Objects.requireNonNull(workspace, "workspace");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
        if (page < 1) {
            throw new IllegalArgumentException("page: " + page + " (expected: 1 or more)");
        }
    }

    /** Any agent's events. */
    public AuditQuery(String workspace, String decision, String tool, Instant since, int limit, int page) {
        this(workspace, decision, tool, null, since, limit, page);
    }

    /** Every event of a workspace, first page of {@value #DEFAULT_LIMIT}. */
    public static AuditQuery of(String workspace) {
        return new AuditQuery(workspace, null, null, null, null, DEFAULT_LIMIT, 1);
    }

    public AuditQuery withDecision(String decision) {
        return new AuditQuery(workspace, decision, tool, agent, since, limit, page);
    }

    public AuditQuery withTool(String tool) {
        return new AuditQuery(workspace, decision, tool, agent, since, limit, page);
    }

    public AuditQuery withAgent(String agent) {
        return new AuditQuery(workspace, decision, tool, agent, since, limit, page);
    }

    public AuditQuery withSince(Instant since) {
        return new AuditQuery(workspace, decision, tool, agent, since, limit, page);
    }

    public AuditQuery withPage(int page, int limit) {
        return new AuditQuery(workspace, decision, tool, agent, since, limit, page);
    }

    /** Number of events before this page; long because page times limit can exceed an int. */
    public long offset() {
        return (long) (page - 1) * limit;
    }
}
