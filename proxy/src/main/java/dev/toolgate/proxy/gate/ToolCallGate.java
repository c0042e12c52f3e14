package dev.toolgate.proxy.gate;

import dev.toolgate.config.RiskConfig;
import dev.toolgate.policy.BudgetCharge;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Evaluation;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.HeldArguments;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.judge.ModelJudge;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.Storage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision path every entry point shares: evaluate each call, ask the judge model where a
 * judged rule could change the outcome, hold the ones that need a person, and audit every
 * decision. The returned future completes only once every decision is committed, so nothing is
 * released that the audit log does not show; it fails when storage
 * fails or does not answer within the decision timeout, and the caller then releases nothing.
 */
public final class ToolCallGate {
    private static final Logger log = LoggerFactory.getLogger(ToolCallGate.class);
    /** Pseudo rule id of a call whose arguments exceed {@code limits.max_tool_argument_size}. */
    public static final String OVERSIZED_ARGUMENTS_RULE = "oversized-arguments";
    private static final int MAX_AUDITED_ARGUMENT_CHARS = 64 * 1024;

    private final PolicyEngine engine;
    private final Storage storage;
    private final ApprovalHold approvals;
    private final ModelJudge judge;
    private final BlockingExecutor blocking;
    private final Redactor redactor;
    private final Clock clock;
    private final long maxArgumentBytes;
    private final List<DecisionObserver> observers = new CopyOnWriteArrayList<>();
    private final BudgetSpending budgets;
    private final List<DecisionOverride> overrides = new CopyOnWriteArrayList<>();
    /** Scores each final decision's risk (the config's taxonomy); replaced whole when the config changes. */
    private volatile RiskScorer riskScorer = new RiskScorer(RiskConfig.DEFAULTS, null);

    /**
     * The calls to decide and where they came from.
     *
     * @param source proxy, intercept, mcp or review
     * @param replay what a held call keeps so that it can be replayed once approved; asked for only when a call
     *     is held, on the thread that calls {@link #decide}; null when there is nothing to keep
     * @param upstreamStatus the upstream's HTTP status, or null when there was no upstream
     * @param overheadNanos gateway time spent on this request before the decision
     * @param argumentsDropped the calls' arguments passed {@code limits.max_tool_argument_size} while
     *     they streamed and were never held: each is blocked as too large, unread
     * @param record the HTTP request the calls came in, told of the decisions for its access line and
     *     trace; null when there is none
     */
    public record Request(CallContext context, String source, List<ToolCall> calls, Supplier<Replay> replay,
                          Integer upstreamStatus, long overheadNanos, boolean argumentsDropped, RequestRecord record) {
        public Request {
            calls = List.copyOf(calls);
            replay = replay == null ? () -> Replay.NONE : replay;
        }

        public Request(CallContext context, String source, List<ToolCall> calls, Supplier<Replay> replay,
                       Integer upstreamStatus, long overheadNanos, boolean argumentsDropped) {
            this(context, source, calls, replay, upstreamStatus, overheadNanos, argumentsDropped, null);
        }

        /** Calls whose arguments are all there. */
        public Request(CallContext context, String source, List<ToolCall> calls, Supplier<Replay> replay,
                       Integer upstreamStatus, long overheadNanos) {
            this(context, source, calls, replay, upstreamStatus, overheadNanos, false, null);
        }

        /** This request, made in {@code record}'s HTTP request. */
        public Request from(RequestRecord httpRequest) {
            return new Request(context, source, calls, replay, upstreamStatus, overheadNanos, argumentsDropped, httpRequest);
        }
    }

    /**
     * What a held call is stored with so that, once approved, it is replayed exactly. A supplier in
     * {@link Request} because most calls are never held, and serialising every assistant message and
     * hashing the whole conversation for each allowed call would be wasted.
     *
     * @param assistantMessages per call, the assistant message (JSON) it came in; null entries (or a null
     *     list) where there is none
     * @param conversationDigest digest of the request's conversation, or null
     */
    public record Replay(List<String> assistantMessages, String conversationDigest) {
        public static final Replay NONE = new Replay(null, null);

        public Replay {
            assistantMessages = assistantMessages == null ? null : Collections.unmodifiableList(new ArrayList<>(assistantMessages));
        }

        String assistantMessage(int index) {
            return assistantMessages == null ? null : assistantMessages.get(index);
        }
    }

    /**
     * {@code maxArgumentBytes}: larger arguments are blocked unread (fail closed), whatever the rules
     * say. Storage work on the decision path (holding a call) is bounded by the storage timeout of
     * {@code blocking}, and the audit log bounds its own commits: past either the decision fails and
     * the caller answers 503 instead of hanging with a database that does not answer.
     */
    public ToolCallGate(PolicyEngine engine, ModelJudge judge, Storage storage, ApprovalHold approvals, BlockingExecutor blocking,
                        Redactor redactor, Clock clock, long maxArgumentBytes) {
        this.engine = engine;
        this.judge = judge;
        this.storage = storage;
        this.approvals = approvals;
        this.blocking = blocking;
        this.redactor = redactor;
        this.clock = clock;
        this.budgets = new BudgetSpending(storage.budgets(), clock);
        this.maxArgumentBytes = maxArgumentBytes;
    }

    /** Adds an observer of committed decisions (metrics, traces, live feed); see {@link DecisionObserver}. */
    public void observe(DecisionObserver observer) {
        observers.add(observer);
    }

    /** Adds a step that may change each call's decision before it is held or audited; see {@link DecisionOverride}. */
    public void overrideWith(DecisionOverride override) {
        overrides.add(override);
    }

    /** Scores the risk of every decision from now on with {@code scorer}. */
    public void scoreRiskWith(RiskScorer scorer) {
        this.riskScorer = scorer;
    }

    public RiskScorer riskScorer() {
        return riskScorer;
    }

    public PolicyEngine engine() {
        return engine;
    }

    /**
     * The decision on each call of {@code request}, the one entry point every source uses (proxy,
     * streams, intercept): a call whose arguments are too large is blocked unread, a kill-switched
     * or ruled one as the policy says, and one that needs a person is held.
     */
    public CompletableFuture<List<GatedCall>> decide(Request request) {
        long started = System.nanoTime();
        List<Evaluation> evaluations;
        try {
            evaluations = request.calls().stream()
                    .map(call -> evaluate(call, request.context(), request.argumentsDropped()))
                    .toList();
        } catch (RuntimeException evaluatorFailure) {
            return CompletableFuture.failedFuture(evaluatorFailure);
        }
        if (evaluations.stream().allMatch(evaluation -> evaluation.toJudge().isEmpty())) {
            List<GatedCall> decided = new ArrayList<>(evaluations.size());
            for (int i = 0; i < evaluations.size(); i++) {
                decided.add(GatedCall.decided(request.calls().get(i), evaluations.get(i).decision()));
            }
            return settle(request, decided, charges(evaluations), Replay.NONE, started);
        }
        // Taken now, on the caller's thread, which owns the request it is made from: the verdicts
        // arrive on the judge's threads, and a judged call may end up held.
        Replay replay;
        try {
            replay = request.replay().get();
        } catch (RuntimeException unavailable) {
            return CompletableFuture.failedFuture(unavailable);
        }
        List<CompletableFuture<Decision>> judged = new ArrayList<>(evaluations.size());
        for (int i = 0; i < evaluations.size(); i++) {
            judged.add(judge.decide(request.calls().get(i), evaluations.get(i)));
        }
        return CompletableFuture.allOf(judged.toArray(CompletableFuture[]::new)).thenCompose(allJudged -> {
            List<GatedCall> decided = new ArrayList<>(judged.size());
            for (int i = 0; i < judged.size(); i++) {
                decided.add(GatedCall.decided(request.calls().get(i), judged.get(i).join()));
            }
            return settle(request, decided, charges(evaluations), replay, started);
        });
    }

    /** Holds the calls that need a person (taking the replay now if nobody took it yet) and audits every decision. */
    private CompletableFuture<List<GatedCall>> settle(Request request, List<GatedCall> evaluated, List<List<BudgetCharge>> charges,
                                                      Replay taken, long started) {
        List<GatedCall> decided;
        try {
            decided = overridden(request, evaluated);
        } catch (RuntimeException overrideFailure) {
            return CompletableFuture.failedFuture(overrideFailure);
        }
        if (decided.stream().noneMatch(GatedCall::pending) && !BudgetSpending.anyToSpend(decided, charges)) {
            return record(request, decided, System.nanoTime() - started);
        }
        // Taken for a call a budget may still hold, too.
        Replay replay;
        try {
            replay = taken != Replay.NONE ? taken : request.replay().get();
        } catch (RuntimeException unavailable) {
            return CompletableFuture.failedFuture(unavailable);
        }
        return blocking.storageWork(() -> settleHeld(request, decided, charges, replay))
                .thenCompose(calls -> record(request, calls, System.nanoTime() - started));
    }

    /**
     * Audits decided calls; the future completes once every event is committed, and only then may
     * any call be released. It needs no deadline of its own: the audit log fails an append that is
     * not committed within the same storage timeout. Never throws: a failure fails the future.
     */
    public CompletableFuture<List<GatedCall>> record(Request request, List<GatedCall> decided, long decisionNanos) {
        long overheadMicros = (request.overheadNanos() + decisionNanos) / 1_000;
        List<GatedCall> calls;
        List<AuditEvent> events;
        try {
            // Scored last, once every step that may change a decision (overrides, budgets, holds) has had its say.
            calls = scored(request, decided);
            events = calls.stream().map(call -> auditEvent(request, call, overheadMicros)).toList();
        } catch (RuntimeException unrecordable) {
            return CompletableFuture.failedFuture(unrecordable);
        }
        return storage.auditLog().append(events).thenApply(committed -> {
            tellObservers(request, events);
            return List.copyOf(calls);
        });
    }

    private void tellObservers(Request request, List<AuditEvent> events) {
        if (request.record() != null) {
            events.forEach(event -> request.record().decided(event.decision()));
        }
        for (DecisionObserver observer : observers) {
            try {
                observer.decided(request.record(), events);
            } catch (RuntimeException e) {
                log.warn("decision observer {} failed; the decision stands", observer.getClass().getSimpleName(), e);
            }
        }
    }

    /** Each call's decision as the {@link DecisionOverride}s leave it. */
    private List<GatedCall> overridden(Request request, List<GatedCall> evaluated) {
        if (overrides.isEmpty()) {
            return evaluated;
        }
        List<GatedCall> decided = new ArrayList<>(evaluated.size());
        for (GatedCall call : evaluated) {
            Decision decision = call.decision();
            for (DecisionOverride override : overrides) {
                decision = override.override(request.context(), call.call(), decision);
            }
            decided.add(decision == call.decision() ? call
                    : new GatedCall(call.call(), decision, call.decisionId(), call.approvalId(), call.approvedBy()));
        }
        return decided;
    }

    /** Each call with its final decision's risk scored (the score replaces the rule set's coarse one); no I/O. */
    private List<GatedCall> scored(Request request, List<GatedCall> decided) {
        RiskScorer scorer = riskScorer;
        List<GatedCall> scored = new ArrayList<>(decided.size());
        for (GatedCall call : decided) {
            scored.add(call.scored(scorer.assess(call.call(), request.context(), call.decision())));
        }
        return scored;
    }

    /**
     * Runs on the blocking executor: each released call spends its budgets (see {@link BudgetSpending}),
     * and each call that needs approval is held, or settled by an earlier approval.
     */
    private List<GatedCall> settleHeld(Request request, List<GatedCall> evaluated, List<List<BudgetCharge>> charges,
                                       Replay replay) {
        List<GatedCall> settled = new ArrayList<>(evaluated.size());
        for (int i = 0; i < evaluated.size(); i++) {
            // A released call spends its budgets here, before it is audited; one over a budget takes the budget rule's action.
            GatedCall call = budgets.spend(evaluated.get(i), charges.get(i), request.context());
            if (call.pending()) {
                GatedCall held = approvals.hold(call, request.context(), replay.assistantMessage(i), replay.conversationDigest());
                budgets.spendApproved(held, charges.get(i), request.context());
                settled.add(held);
            } else {
                settled.add(call);
            }
        }
        return settled;
    }

    /** What each call would spend of the budgets it matched. */
    private static List<List<BudgetCharge>> charges(List<Evaluation> evaluations) {
        return evaluations.stream().map(Evaluation::charges).toList();
    }

    private Evaluation evaluate(ToolCall call, CallContext context, boolean argumentsDropped) {
        if (argumentsDropped || HeldArguments.longerThan(call.arguments(), maxArgumentBytes)) {
            return Evaluation.of(tooLarge(maxArgumentBytes, engine.ruleSetFor(context.workspace()).version()));
        }
        return engine.evaluation(call, context);
    }

    /** The decision on a call whose arguments are over {@code maxArgumentBytes}: blocked unread, whatever the rules say. */
    public static Decision tooLarge(long maxArgumentBytes, String policyVersion) {
        return new Decision.Blocked(List.of(), List.of(new Finding(OVERSIZED_ARGUMENTS_RULE,
                "arguments exceed the limit of " + maxArgumentBytes + " bytes")), 1.0, policyVersion);
    }

    private AuditEvent auditEvent(Request request, GatedCall gated, long overheadMicros) {
        Decision decision = gated.decision();
        CallContext context = request.context();
        return new AuditEvent(0, gated.decisionId(), clock.instant(), context.workspace(), context.agent(), request.source(),
                gated.call().name(), gated.call().id(), auditArguments(gated.call().arguments()), auditDecision(decision),
                decision.matchedRules(), reasonLines(decision),
                decision.riskScore(),
                gated.approvalId(), decision.policyVersion(), context.model(), request.upstreamStatus(), overheadMicros,
                gated.approvedBy());
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

    /** One audit line per finding, then one per verdict of the judge model, if one took part; redacted like the arguments. */
    private List<String> reasonLines(Decision decision) {
        List<String> lines = new ArrayList<>(decision.reasons().size() + 1);
        // Reasons may quote the arguments (a parse error names the token it stopped at).
        decision.reasons().forEach(finding -> lines.add(redactor.redactText(reasonLine(finding))));
        if (decision.judgement() != null) {
            decision.judgement().lines().forEach(line -> lines.add(redactor.redactText(line)));
        }
        return lines;
    }

    /** One audit line per finding: "rule-id: message". */
    private static String reasonLine(Finding finding) {
        return finding.ruleId() + ": " + finding.message();
    }
}
