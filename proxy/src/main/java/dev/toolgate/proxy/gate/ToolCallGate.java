package dev.toolgate.proxy.gate;

import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.BlockingExecutor;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.PendingApproval;
import dev.toolgate.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The decision path every entry point shares: evaluate each call, hold the ones that need a
 * person, and audit every decision. The returned future completes only once every decision is
 * committed, so nothing is released that the audit log does not show; it fails when storage
 * fails, and the caller then releases nothing.
 */
public final class ToolCallGate {
    private final PolicyEngine engine;
    private final Storage storage;
    private final BlockingExecutor blocking;
    private final Redactor redactor;
    private final Clock clock;
    private final Duration approvalTtl;

    /**
     * The calls to decide and where they came from.
     *
     * @param source proxy, intercept, mcp or review
     * @param assistantMessage the original assistant message (JSON) a held call came in, or null
     * @param conversationDigest digest of the request's conversation, or null
     * @param upstreamStatus the upstream's HTTP status, or null when there was no upstream
     * @param overheadNanos gateway time spent on this request before the decision
     */
    public record Request(CallContext context, String source, List<ToolCall> calls, String assistantMessage,
                          String conversationDigest, Integer upstreamStatus, long overheadNanos) {
        public Request {
            calls = List.copyOf(calls);
        }
    }

    public ToolCallGate(PolicyEngine engine, Storage storage, BlockingExecutor blocking, Redactor redactor, Clock clock,
                        Duration approvalTtl) {
        this.engine = engine;
        this.storage = storage;
        this.blocking = blocking;
        this.redactor = redactor;
        this.clock = clock;
        this.approvalTtl = approvalTtl;
    }

    public PolicyEngine engine() {
        return engine;
    }

    public CompletableFuture<List<GatedCall>> decide(Request request) {
        long started = System.nanoTime();
        List<Decision> decisions;
        try {
            decisions = request.calls().stream().map(call -> engine.evaluate(call, request.context())).toList();
        } catch (RuntimeException evaluatorFailure) {
            return CompletableFuture.failedFuture(evaluatorFailure);
        }
        boolean anyHeld = decisions.stream().anyMatch(d -> d instanceof Decision.NeedsApproval);
        CompletableFuture<List<String>> approvalIds = anyHeld
                ? blocking.supply(() -> holdForApproval(request, decisions))
                : CompletableFuture.completedFuture(nulls(decisions.size()));
        return approvalIds.thenCompose(ids -> {
            long overheadMicros = (request.overheadNanos() + System.nanoTime() - started) / 1_000;
            List<GatedCall> gated = new ArrayList<>(decisions.size());
            List<AuditEvent> events = new ArrayList<>(decisions.size());
            for (int i = 0; i < decisions.size(); i++) {
                GatedCall call = new GatedCall(request.calls().get(i), decisions.get(i), UUID.randomUUID().toString(), ids.get(i));
                gated.add(call);
                events.add(auditEvent(request, call, overheadMicros));
            }
            return storage.auditLog().append(events).thenApply(committed -> List.copyOf(gated));
        });
    }

    /** Runs on the blocking executor: reuses a matching pending approval or stores a new one. */
    private List<String> holdForApproval(Request request, List<Decision> decisions) {
        List<String> ids = new ArrayList<>(decisions.size());
        CallContext context = request.context();
        for (int i = 0; i < decisions.size(); i++) {
            if (!(decisions.get(i) instanceof Decision.NeedsApproval held)) {
                ids.add(null);
                continue;
            }
            ToolCall call = request.calls().get(i);
            String canonical = CanonicalArguments.of(call.arguments());
            String digest = CanonicalArguments.digest(canonical);
            Optional<PendingApproval> existing = storage.approvals().findPending(context.workspace(), context.agent(), call.name(), digest);
            if (existing.isPresent()) {
                ids.add(existing.get().id());
                continue;
            }
            Instant now = clock.instant();
            PendingApproval approval = new PendingApproval(UUID.randomUUID().toString(), context.workspace(), context.agent(),
                    call.name(), call.id(), canonical, digest, held.decidingRule(), held.policyVersion(),
                    request.assistantMessage(), request.conversationDigest(), held.approverEmail(), ApprovalStatus.PENDING,
                    now, now.plus(approvalTtl), null, null, null);
            storage.approvals().create(approval);
            ids.add(approval.id());
        }
        return ids;
    }

    private AuditEvent auditEvent(Request request, GatedCall gated, long overheadMicros) {
        Decision decision = gated.decision();
        CallContext context = request.context();
        return new AuditEvent(0, gated.decisionId(), clock.instant(), context.workspace(), context.agent(), request.source(),
                gated.call().name(), gated.call().id(), redactor.redactJson(gated.call().arguments()), auditDecision(decision),
                decision.matchedRules(), decision.reasons().stream().map(ToolCallGate::reasonLine).toList(), decision.riskScore(),
                gated.approvalId(), decision.policyVersion(), context.model(), request.upstreamStatus(), overheadMicros, null);
    }

    /** The decision word in the audit log: allowed, warned, blocked or pending. */
    public static String auditDecision(Decision decision) {
        if (decision instanceof Decision.Warned) {
            return "warned";
        }
        if (decision instanceof Decision.NeedsApproval) {
            return "pending";
        }
        return decision.releases() ? "allowed" : "blocked";
    }

    private static List<String> nulls(int size) {
        List<String> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(null);
        }
        return list;
    }

    /** One audit line per finding: "rule-id: message". */
    private static String reasonLine(Finding finding) {
        return finding.ruleId() + ": " + finding.message();
    }
}
