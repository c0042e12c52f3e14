package dev.toolgate.proxy.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.PendingApproval;
import dev.toolgate.storage.StandingApproval;
import dev.toolgate.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standing approvals: an approver's "this call, and the same tool for this agent for N minutes or
 * N calls, within these argument bounds", a time-limited allow rule stored with the approval it was
 * granted with. Consulted for a call that would otherwise be held; each use is counted in storage
 * (atomically, so instances sharing a database share the count); granted, revoked and ended grants
 * are audited. Every method blocks on storage.
 */
public final class StandingApprovals {
    private static final Logger log = LoggerFactory.getLogger(StandingApprovals.class);
    /** How long a standing approval may last at most: one week. */
    public static final int MAX_MINUTES = 7 * 24 * 60;
    public static final int MAX_CALLS = 10_000;
    private static final int SWEEP_BATCH = 500;

    private final Storage storage;
    private final Redactor redactor;
    private final Clock clock;
    private final List<DecisionObserver> observers;

    StandingApprovals(Storage storage, Redactor redactor, Clock clock, List<DecisionObserver> observers) {
        this.storage = storage;
        this.redactor = redactor;
        this.clock = clock;
        this.observers = observers;
    }

    /** What the approver asked for, validated: {@code minutes}, {@code calls} (null: no limit) and the bounds JSON. */
    public record Request(int minutes, Integer calls, JsonNode bounds, String note) {

        /**
         * Reads {@code {"minutes", "calls"?, "bounds"?, "note"?}}; throws {@link IllegalArgumentException}
         * saying which field is wrong and what was expected.
         */
        public static Request of(JsonNode standing) {
            if (!standing.isObject()) {
                throw new IllegalArgumentException("standing: " + standing + " (expected: an object {minutes, calls?, bounds?})");
            }
            JsonNode minutes = standing.path("minutes");
            if (!minutes.canConvertToInt() || !minutes.isIntegralNumber() || minutes.intValue() < 1 || minutes.intValue() > MAX_MINUTES) {
                throw new IllegalArgumentException("standing.minutes: " + (minutes.isMissingNode() ? "missing" : minutes)
                        + " (expected: a whole number of minutes from 1 to " + MAX_MINUTES + ")");
            }
            JsonNode calls = standing.path("calls");
            Integer maxCalls = null;
            if (!calls.isMissingNode() && !calls.isNull()) {
                if (!calls.isIntegralNumber() || !calls.canConvertToInt() || calls.intValue() < 1 || calls.intValue() > MAX_CALLS) {
                    throw new IllegalArgumentException("standing.calls: " + calls + " (expected: a whole number from 1 to " + MAX_CALLS
                            + ", or none for no limit before it expires)");
                }
                maxCalls = calls.intValue();
            }
            JsonNode note = standing.path("note");
            if (!note.isMissingNode() && !note.isNull() && !note.isTextual()) {
                throw new IllegalArgumentException("standing.note: " + note + " (expected: a string)");
            }
            return new Request(minutes.intValue(), maxCalls, standing.get("bounds"), note.isTextual() ? note.textValue() : null);
        }

        /** The bounds checked against the approved call; throws {@link IllegalArgumentException} when they do not fit it. */
        public StandingBounds boundsFor(PendingApproval approval) {
            return StandingBounds.parse(bounds, approval.arguments());
        }
    }

    /** The rule id a call released by {@code grant} names in its reasons and audit line. */
    public static String ruleId(StandingApproval grant) {
        return "standing:" + grant.id();
    }

    /** Stores and audits a grant made with {@code approval}, which the approver has just approved. */
    public StandingApproval grant(PendingApproval approval, Request request, StandingBounds bounds, String createdBy) {
        Instant now = clock.instant();
        StandingApproval grant = new StandingApproval(UUID.randomUUID().toString(), approval.workspace(), approval.agent(),
                approval.tool(), approval.id(), approval.arguments(), Json.text(bounds.json()), createdBy, request.note(), now,
                now.plus(Duration.ofMinutes(request.minutes())), request.calls(), 0, null, null, null);
        storage.standingApprovals().create(grant);
        audit(grant, "standing_granted", "granted by " + createdBy + " for " + grant.agent() + " until " + grant.expiresAt()
                + (grant.maxCalls() != null ? ", at most " + grant.maxCalls() + " call(s)" : "")
                + ", arguments " + (bounds.json().isEmpty() ? "as approved" : "within " + Json.text(bounds.json()))
                + (request.note() != null && !request.note().isBlank() ? ": " + request.note() : ""));
        log.info("Standing approval {} granted by {}: tool '{}' for agent '{}' until {}{}", grant.id(), createdBy, grant.tool(),
                grant.agent(), grant.expiresAt(), grant.maxCalls() != null ? ", " + grant.maxCalls() + " call(s)" : "");
        return grant;
    }

    /**
     * The grant that lets this call through now, its use counted; empty when none covers it (other
     * workspace, agent or tool, out of bounds, expired, revoked or used up).
     */
    Optional<StandingApproval> use(ToolCall call, CallContext context) {
        Instant now = clock.instant();
        for (StandingApproval grant : storage.standingApprovals().usable(context.workspace(), context.agent(), call.name(), now)) {
            if (StandingBounds.stored(grant.bounds(), grant.baseArguments()).allows(call.arguments())
                    && storage.standingApprovals().use(grant.workspace(), grant.id(), now)) {
                return Optional.of(grant);
            }
        }
        return Optional.empty();
    }

    public List<StandingApproval> list(String workspace, boolean includeEnded, int limit) {
        return storage.standingApprovals().list(workspace, includeEnded, limit);
    }

    public Optional<StandingApproval> find(String workspace, String id) {
        return storage.standingApprovals().find(workspace, id);
    }

    /** Revokes and audits; false when the grant had already ended. */
    public boolean revoke(String workspace, String id, String revokedBy) {
        if (!storage.standingApprovals().revoke(workspace, id, revokedBy, clock.instant())) {
            return false;
        }
        StandingApproval grant = storage.standingApprovals().find(workspace, id).orElseThrow();
        audit(grant, "standing_revoked", "revoked by " + revokedBy + " after " + grant.usedCalls() + " call(s)");
        log.info("Standing approval {} (tool '{}', agent '{}') revoked by {}", id, grant.tool(), grant.agent(), revokedBy);
        return true;
    }

    /** Audits the end of every grant that expired or used its last call; returns how many. */
    int endDue() {
        int total = 0;
        List<StandingApproval> ended;
        do {
            ended = storage.standingApprovals().endDue(clock.instant(), SWEEP_BATCH);
            for (StandingApproval grant : ended) {
                boolean usedUp = grant.maxCalls() != null && grant.usedCalls() >= grant.maxCalls();
                audit(grant, "standing_expired", usedUp ? "used up: all " + grant.maxCalls() + " call(s) made"
                        : "expired at " + grant.expiresAt() + " after " + grant.usedCalls() + " call(s)");
            }
            total += ended.size();
        } while (ended.size() == SWEEP_BATCH);
        return total;
    }

    private void audit(StandingApproval grant, String decision, String reason) {
        AuditEvent event = new AuditEvent(0, EventIds.next(), clock.instant(), grant.workspace(), grant.agent(), "approval",
                grant.tool(), null, redactor.redactJson(grant.baseArguments()), decision, List.of(ruleId(grant)),
                List.of(redactor.redactText(ruleId(grant) + ": " + reason)), 0.0, grant.approvalId(), "", "", null, 0,
                grant.createdBy());
        storage.auditLog().append(List.of(event)).join();
        for (DecisionObserver observer : observers) {
            try {
                observer.decided(null, List.of(event));
            } catch (RuntimeException e) {
                log.warn("decision observer {} failed; the grant stands", observer.getClass().getSimpleName(), e);
            }
        }
    }
}
