package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.policy.Verdict;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.judge.ModelJudge;
import dev.toolgate.proxy.judge.RuleProposals;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.AuditQuery;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /api/approval-rules/compile}: turns a plain-language rule into an exact one. The
 * judge model proposes tool patterns and a CEL condition; the proposal is compiled (a proposal
 * that does not compile is refused with the compiler's message) and dry-run beside the judged
 * rule over the workspace's most recent audited calls, so the operator sees where the two agree
 * before adopting the exact rule with the body the answer gives ({@code replaces} names the judged
 * rule it takes the place of). Past calls are read as the audit holds them: redacted.
 */
final class RuleCompileEndpoint {
    static final int DEFAULT_SAMPLE = 50;
    static final int MAX_SAMPLE = 200;
    private static final int MAX_DIFFERENCES_SHOWN = 10;
    private static final String PROPOSED_ID = "proposed";
    private static final String JUDGED_ID = "judged";

    private final ModelJudge judge;
    private final RuleProposals proposals;
    private final AuditLog auditLog;
    private final BlockingExecutor blocking;
    private final PolicyDefaults defaults;

    RuleCompileEndpoint(ModelJudge judge, AuditLog auditLog, BlockingExecutor blocking, PolicyDefaults defaults) {
        this.judge = judge;
        this.proposals = new RuleProposals(judge);
        this.auditLog = auditLog;
        this.blocking = blocking;
        this.defaults = defaults;
    }

    /** What the operator asked for. */
    private record Request(String ruleText, Action action, List<String> tools, String approverEmail, String replaces, int sample) {
    }

    void compile(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        Request request = request(Json.readObject(exchange.request().content()));
        String workspace = exchange.principal().workspace();
        blocking.storageWork(() -> auditLog.query(new AuditQuery(workspace, null, null, null, request.sample(), 1)).events())
                .thenCompose(recent -> proposals.propose(request.ruleText(), toolsSeen(recent))
                        .handle((proposal, failure) -> {
                            if (failure != null) {
                                throw new CompletionException(new ApiError(HttpResponseStatus.BAD_GATEWAY, "JUDGE_UNAVAILABLE",
                                        "the model could not propose an exact rule: " + proposals.failureCause(failure)));
                            }
                            return proposal;
                        })
                        .thenCompose(proposal -> dryRun(request, proposal, recent)))
                .whenComplete((answer, failure) -> {
                    if (failure == null) {
                        exchange.respondJson(HttpResponseStatus.OK, answer);
                        return;
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    exchange.fail(cause instanceof ApiError error ? error
                            : new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                                    "the gateway's storage could not read the recent audit; retry later"));
                });
    }

    private CompletableFuture<ObjectNode> dryRun(Request request, RuleProposals.Proposal proposal, List<AuditEvent> recent) {
        Rule exact = new Rule(PROPOSED_ID, request.ruleText(), proposal.tools(), proposal.when(), request.action(), null);
        Rule judged = new Rule(JUDGED_ID, "", request.tools(), null, request.action(), null, request.ruleText());
        RuleSet exactSet;
        RuleSet judgedSet;
        try {
            exactSet = RuleSet.compile(List.of(exact), defaults);
            judgedSet = RuleSet.compile(List.of(judged), defaults);
        } catch (RuleCompileException e) {
            throw new CompletionException(ApiError.validation("the proposed rule does not compile: " + e.field() + ": " + e.getMessage()
                    + " (proposed tools " + proposal.tools() + ", when: " + proposal.when() + ")"));
        }
        List<CompletableFuture<Row>> rows = new ArrayList<>(recent.size());
        for (AuditEvent event : recent) {
            ToolCall call = new ToolCall(event.toolCallId(), event.tool(), event.arguments());
            CallContext context = CallContext.of(event.workspace(), event.agent(), event.model());
            boolean exactMatches = exactSet.evaluate(call, context, Set.of()).matchedRules().contains(PROPOSED_ID);
            List<Rule> toJudge = judgedSet.evaluation(call, context, Set.of()).toJudge();
            CompletableFuture<Verdict> verdict = toJudge.isEmpty()
                    ? CompletableFuture.completedFuture(new Verdict(JUDGED_ID, false, "tool not covered by the rule"))
                    : judge.verdicts(call, toJudge, judgedSet.version()).thenApply(list -> list.get(0));
            rows.add(verdict.handle((answer, failure) -> new Row(event, exactMatches, answer)));
        }
        return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new))
                .thenApply(done -> answer(request, proposal, rows.stream().map(CompletableFuture::join).toList()));
    }

    /** One past call: whether the proposed exact rule matched it, and the judge's verdict (null when the judge failed). */
    private record Row(AuditEvent event, boolean exact, Verdict verdict) {
    }

    private ObjectNode answer(Request request, RuleProposals.Proposal proposal, List<Row> rows) {
        int exactMatches = 0;
        int judgeMatches = 0;
        int agree = 0;
        int judgeErrors = 0;
        List<Row> differences = new ArrayList<>();
        for (Row row : rows) {
            exactMatches += row.exact() ? 1 : 0;
            if (row.verdict() == null) {
                judgeErrors++;
                continue;
            }
            judgeMatches += row.verdict().applies() ? 1 : 0;
            if (row.verdict().applies() == row.exact()) {
                agree++;
            } else {
                differences.add(row);
            }
        }
        ObjectNode body = Json.object();
        body.put("rule_text", request.ruleText());
        body.put("action", request.action().wireName());
        ObjectNode proposed = body.putObject("proposed");
        proposed.set("tools", Json.MAPPER.valueToTree(proposal.tools()));
        proposed.put("when", proposal.when().isEmpty() ? null : proposal.when());
        proposed.put("explanation", proposal.explanation());
        proposed.put("model", judge.model());

        ObjectNode dryRun = body.putObject("dry_run");
        dryRun.put("examined", rows.size());
        dryRun.put("exact_matches", exactMatches);
        dryRun.put("judge_matches", judgeMatches);
        dryRun.put("agree", agree);
        dryRun.put("differ", differences.size());
        dryRun.put("judge_errors", judgeErrors);
        ArrayNode shown = dryRun.putArray("differences");
        for (Row row : differences.subList(0, Math.min(differences.size(), MAX_DIFFERENCES_SHOWN))) {
            ObjectNode entry = shown.addObject();
            entry.put("event_id", row.event().eventId());
            entry.put("tool", row.event().tool());
            entry.put("arguments", row.event().arguments());
            entry.put("exact_matches", row.exact());
            entry.put("judge_applies", row.verdict().applies());
            entry.put("judge_reason", row.verdict().reason());
        }
        body.put("summary", "would have matched " + exactMatches + " of " + rows.size() + " past calls; agrees with the judge on "
                + agree + "; differs on " + differences.size() + (differences.isEmpty() ? "" : " (shown)")
                + (judgeErrors == 0 ? "" : "; the judge could not decide " + judgeErrors));

        ObjectNode adopt = body.putObject("adopt");
        adopt.put("method", "POST");
        adopt.put("path", "/api/approval-rules");
        ObjectNode adoptBody = adopt.putObject("body");
        adoptBody.put("rule_text", request.ruleText());
        adoptBody.put("action", request.action().wireName());
        adoptBody.set("tools", Json.MAPPER.valueToTree(proposal.tools()));
        if (!proposal.when().isEmpty()) {
            adoptBody.put("when", proposal.when());
        }
        adoptBody.put("judged", false);
        if (request.approverEmail() != null) {
            adoptBody.put("approver_email", request.approverEmail());
        }
        if (request.replaces() != null) {
            adoptBody.put("replaces", request.replaces());
        }
        return body;
    }

    private static List<String> toolsSeen(List<AuditEvent> recent) {
        return recent.stream().map(AuditEvent::tool).distinct().limit(50).toList();
    }

    private static Request request(ObjectNode body) {
        String ruleText = ApprovalRulesEndpoints.requiredText(body, "rule_text");
        String actionText = RequestBodies.optionalText(body, "action");
        Action action = actionText == null ? Action.APPROVE : ApprovalRulesEndpoints.action(actionText);
        JsonNode sample = body.path("sample");
        int size = DEFAULT_SAMPLE;
        if (!sample.isMissingNode() && !sample.isNull()) {
            if (!sample.isInt() || sample.intValue() < 1 || sample.intValue() > MAX_SAMPLE) {
                throw ApiError.validation("sample must be a whole number from 1 to " + MAX_SAMPLE);
            }
            size = sample.intValue();
        }
        return new Request(ruleText, action, ApprovalRulesEndpoints.tools(body.path("tools")),
                RequestBodies.optionalText(body, "approver_email"), RequestBodies.optionalText(body, "replaces"), size);
    }
}
