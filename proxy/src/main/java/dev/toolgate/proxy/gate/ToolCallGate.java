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
    /** Pseudo rule id of a call whose arguments exceed {@code limits.max_tool_argument_size}. */
    public static final String OVERSIZED_ARGUMENTS_RULE = "oversized-arguments";
    private static final int MAX_AUDITED_ARGUMENT_CHARS = 64 * 1024;

    private final PolicyEngine engine;
    private final Storage storage;
    private final BlockingExecutor blocking;
    private final Redactor redactor;
    private final Clock clock;
    private final Duration approvalTtl;
    private final long maxArgumentBytes;

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

    /** {@code maxArgumentBytes}: larger arguments are blocked unread (fail closed), whatever the rules say. */
    public ToolCallGate(PolicyEngine engine, Storage storage, BlockingExecutor blocking, Redactor redactor, Clock clock,
                        Duration approvalTtl, long maxArgumentBytes) {
        this.engine = engine;
        this.storage = storage;
        this.blocking = blocking;
        this.redactor = redactor;
        this.clock = clock;
        this.approvalTtl = approvalTtl;
        this.maxArgumentBytes = maxArgumentBytes;
    }

    public PolicyEngine engine() {
        return engine;
    }

    public CompletableFuture<List<GatedCall>> decide(Request request) {
        long started = System.nanoTime();
        List<Decision> decisions;
        try {
            decisions = request.calls().stream().map(call -> evaluate(call, request.context())).toList();
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

    private Decision evaluate(ToolCall call, CallContext context) {
        if (utf8LengthExceeds(call.arguments(), maxArgumentBytes)) {
            return new Decision.Blocked(List.of(), List.of(new Finding(OVERSIZED_ARGUMENTS_RULE,
                    "arguments exceed the limit of " + maxArgumentBytes + " bytes")), 1.0, engine.ruleSet().version());
        }
        return engine.evaluate(call, context);
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
                gated.call().name(), gated.call().id(), auditArguments(gated.call().arguments()), auditDecision(decision),
                decision.matchedRules(), decision.reasons().stream().map(ToolCallGate::reasonLine).toList(), decision.riskScore(),
                gated.approvalId(), decision.policyVersion(), context.model(), request.upstreamStatus(), overheadMicros, null);
    }

    static boolean utf8LengthExceeds(String text, long limit) {
        if ((long) text.length() * 3 <= limit) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
            if (bytes > limit) {
                return true;
            }
        }
        return false;
    }

    /** Arguments as stored in the audit log: redacted, and cut short past a size no reviewer reads whole. */
    private String auditArguments(String arguments) {
        String redacted = redactor.redactJson(arguments);
        return redacted.length() <= MAX_AUDITED_ARGUMENT_CHARS ? redacted
                : redacted.substring(0, MAX_AUDITED_ARGUMENT_CHARS) + "…[truncated " + (redacted.length() - MAX_AUDITED_ARGUMENT_CHARS) + " characters]";
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
