package dev.toolgate.proxy.alerts;

import dev.toolgate.proxy.agents.AgentBreaker;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.RequestObserver;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.BreakerState;
import dev.toolgate.storage.Storage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What alert rules measure, from what the gateway already sees: the gate's decisions (per
 * workspace), proxied requests' upstream outcome and latency (as {@code TimedUpstream} marks them on
 * the request record), the agents' breakers, pending approvals, the audit chain and the database.
 * The in-memory parts are fed on the event loops and only appended to; {@link #measure} reads the
 * database and runs on the evaluator's thread.
 */
public final class AlertSignals implements DecisionObserver, RequestObserver {
    /** What an approver decides, not the gate: not counted in the block rate. */
    private static final Set<String> APPROVER_OUTCOMES = Set.of("approved", "denied", "expired");
    private static final int PENDING_SCAN = 1000;

    private final Clock clock;
    private final Storage storage;
    private final AgentBreaker breaker;
    private final Map<String, TimedSamples> decisionsByWorkspace = new ConcurrentHashMap<>();
    private final TimedSamples upstream;

    public AlertSignals(Clock clock, Storage storage, AgentBreaker breaker) {
        this.clock = clock;
        this.storage = storage;
        this.breaker = breaker;
        this.upstream = new TimedSamples(clock, true);
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        for (AuditEvent event : events) {
            if (!APPROVER_OUTCOMES.contains(event.decision())) {
                decisionsByWorkspace.computeIfAbsent(event.workspace(), workspace -> new TimedSamples(clock, false))
                        .add(event.decision().equals("blocked"), 0);
            }
        }
    }

    @Override
    public void completed(RequestRecord record) {
        if (record.proxied()) {
            int status = record.status();
            boolean failed = status >= 500 || status == 429;
            upstream.add(failed, TimeUnit.NANOSECONDS.toMillis(Math.max(0, record.upstreamNanos())));
        }
    }

    /**
     * The metric's current value for {@code workspace}; {@link Double#NaN} when there is too little
     * to judge (fewer calls than the rule's {@code min_calls}). Blocks on the database for some metrics.
     */
    public double measure(String workspace, AlertCondition condition) {
        return switch (condition.metric()) {
            case BLOCK_RATE -> rate(decisionsByWorkspace.get(workspace), condition);
            case UPSTREAM_ERROR_RATE -> rate(upstream, condition);
            case UPSTREAM_LATENCY -> {
                TimedSamples.Summary summary = upstream.over(condition.window());
                yield summary.count() < condition.minCalls() ? Double.NaN : summary.p95();
            }
            case APPROVALS_PENDING -> {
                Instant before = clock.instant().minusSeconds(condition.minutes() * 60L);
                yield storage.approvals().list(workspace, ApprovalStatus.PENDING, PENDING_SCAN, 1).stream()
                        .filter(approval -> approval.createdAt().isBefore(before))
                        .count();
            }
            case BREAKER_TRIPPED -> breaker.states(workspace).stream()
                    .filter(state -> state.state() != BreakerState.MONITORING)
                    .count();
            case AUDIT_VERIFY -> storage.auditLog().verifyChain(workspace).valid() ? 0 : 1;
            case STORAGE_OUTAGE -> storageDown() ? 1 : 0;
        };
    }

    private static double rate(TimedSamples samples, AlertCondition condition) {
        if (samples == null) {
            return Double.NaN;
        }
        TimedSamples.Summary summary = samples.over(condition.window());
        return summary.count() < condition.minCalls() ? Double.NaN : summary.badShare();
    }

    private boolean storageDown() {
        try {
            storage.ping();
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }
}
