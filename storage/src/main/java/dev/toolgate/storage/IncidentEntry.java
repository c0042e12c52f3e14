package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of an incident's timeline.
 *
 * @param id assigned by the database, increasing; 0 before it is stored
 * @param kind {@code decision}, {@code breaker}, {@code alert}, {@code failover}, {@code note},
 *     {@code resolved} or {@code reopened}
 * @param severity the signal's severity, or null for notes and status changes
 * @param auditEventId the audit event behind a decision, or null
 * @param author who wrote a note or changed the status, or null for signals
 */
public record IncidentEntry(long id, String incidentId, Instant at, String kind, IncidentSeverity severity, String summary,
                            String auditEventId, String author) {
    public IncidentEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(summary, "summary");
    }

    /** This entry as part of {@code incident}. */
    public IncidentEntry of(String incident) {
        return new IncidentEntry(id, incident, at, kind, severity, summary, auditEventId, author);
    }
}
