package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One decided tool call, as recorded in the audit log.
 *
 * @param id assigned by the database, increasing in commit order; 0 before the event is stored
 * @param eventId unique UUID text, chosen by the gateway before the event is stored
 * @param source where the call came in: {@code proxy}, {@code intercept}, {@code mcp} or {@code review}
 * @param toolCallId the provider's call id, or null when the entry point has none
 * @param arguments the call's arguments as JSON text, already redacted (storage stores what it is given)
 * @param decision {@code allowed}, {@code warned}, {@code blocked}, {@code pending}, {@code approved},
 *     {@code denied} or {@code expired}
 * @param upstreamStatus the provider's HTTP status, or null when there was no upstream call
 * @param overheadMicros time the gateway added to the request, in microseconds
 * @param decidedBy who decided a held call (an approver), or null for policy decisions
 */
public record AuditEvent(
        long id,
        String eventId,
        Instant time,
        String workspace,
        String agent,
        String source,
        String tool,
        String toolCallId,
        String arguments,
        String decision,
        List<String> rules,
        List<String> reasons,
        double riskScore,
        String approvalId,
        String policyVersion,
        String model,
        Integer upstreamStatus,
        long overheadMicros,
        String decidedBy) {

    public AuditEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(policyVersion, "policyVersion");
        rules = rules == null ? List.of() : List.copyOf(rules);
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
}
