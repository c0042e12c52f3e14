package dev.toolgate.proxy.incidents;

import dev.toolgate.proxy.agents.AgentBreaker;
import dev.toolgate.storage.AgentState;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.IncidentEntry;
import dev.toolgate.storage.IncidentSeverity;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that opens an incident or joins the agent's open one: a blocked or held call, a breaker
 * trip, a fired alert, an upstream failover. Built here from decisions and breaker changes; alerts
 * and failovers make their own with the public constructor.
 *
 * @param kind {@code decision}, {@code breaker}, {@code alert} or {@code failover}
 * @param auditEventId the audit event behind a decision, or null
 * @param opens whether the signal may open an incident; when false it only joins an open one (an
 *     approver's answer to a held call belongs with the hold, but is no incident of its own)
 */
public record IncidentSignal(String workspace, String agent, Instant at, String kind, IncidentSeverity severity, String summary,
                             String auditEventId, boolean opens) {
    public IncidentSignal {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
    }

    /**
     * The signal of a committed decision: blocked (high) and held for approval (medium) open or join;
     * an approver's denial, an expiry or an approval only join; allowed and warned calls are none.
     */
    public static Optional<IncidentSignal> of(AuditEvent event) {
        String rules = event.rules().isEmpty() ? "" : " (" + String.join(", ", event.rules()) + ")";
        return Optional.ofNullable(switch (event.decision()) {
            case "blocked" -> decision(event, IncidentSeverity.HIGH, "blocked " + event.tool() + rules, true);
            case "pending" -> decision(event, IncidentSeverity.MEDIUM, "held " + event.tool() + " for approval" + rules, true);
            case "denied" -> decision(event, IncidentSeverity.MEDIUM, "denied " + event.tool() + by(event), false);
            case "expired" -> decision(event, IncidentSeverity.MEDIUM, "approval of " + event.tool() + " expired", false);
            case "approved" -> decision(event, IncidentSeverity.LOW, "approved " + event.tool() + by(event), false);
            default -> null;
        });
    }

    /**
     * The signal of a breaker change that restricts the agent more (a trip, automatic or by an admin):
     * warn low, throttle medium, halt high, kill critical. Loosening changes are none.
     */
    public static Optional<IncidentSignal> of(AgentBreaker.Change change) {
        AgentState to = change.to();
        if (!to.state().stricterThan(change.from())) {
            return Optional.empty();
        }
        IncidentSeverity severity = switch (to.state()) {
            case KILLED -> IncidentSeverity.CRITICAL;
            case HALT -> IncidentSeverity.HIGH;
            case THROTTLE -> IncidentSeverity.MEDIUM;
            default -> IncidentSeverity.LOW;
        };
        String summary = "breaker " + change.from().value() + " -> " + to.state().value() + " by " + to.changedBy()
                + (to.reason() == null ? "" : ": " + to.reason());
        return Optional.of(new IncidentSignal(to.workspace(), to.agent(), to.changedAt(), "breaker", severity, summary, null, true));
    }

    /** The timeline entry this signal makes. */
    IncidentEntry entry() {
        return new IncidentEntry(0, null, at, kind, severity, summary, auditEventId, null);
    }

    private static IncidentSignal decision(AuditEvent event, IncidentSeverity severity, String summary, boolean opens) {
        return new IncidentSignal(event.workspace(), event.agent(), event.time(), "decision", severity, summary, event.eventId(), opens);
    }

    private static String by(AuditEvent event) {
        return event.decidedBy() == null ? "" : " by " + event.decidedBy();
    }
}
