package dev.toolgate.proxy.gate;

import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AuditEvent;
import java.util.List;

/**
 * Told of every decision once it is committed to the audit log, the gate's and the approvers'
 * ({@code approved}, {@code denied}, {@code expired}): metrics, traces and the dashboard's live
 * feed watch decisions through this one door. Called on the committing thread, so an observer
 * must be quick and must not block; what it throws is logged and never fails the decision.
 */
@FunctionalInterface
public interface DecisionObserver {
    /**
     * {@code events}: committed audit events, in the order of their calls; {@code httpRequest}: the
     * request they were decided in, or null (an approver's decision, an expiry).
     */
    void decided(RequestRecord httpRequest, List<AuditEvent> events);
}
