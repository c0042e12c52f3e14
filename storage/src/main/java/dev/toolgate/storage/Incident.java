package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * Blocked or held calls, breaker trips or alerts of one agent, grouped while they keep coming.
 *
 * @param status {@code open} or {@code resolved}
 * @param lastSignalAt the newest signal's time; a signal within the grouping window after it joins
 * @param resolvedBy who resolved it ({@code api:<admin key>}), or null while open
 */
public record Incident(String id, String workspace, String agent, String status, IncidentSeverity severity, String title,
                       Instant openedAt, Instant updatedAt, Instant lastSignalAt, int signalCount, Instant resolvedAt,
                       String resolvedBy) {
    public static final String OPEN = "open";
    public static final String RESOLVED = "resolved";

    public Incident {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(openedAt, "openedAt");
    }
}
