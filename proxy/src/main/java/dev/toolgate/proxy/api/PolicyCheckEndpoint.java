package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Evaluation;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestBodies;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code GET|POST /api/policies/check}: what the live rules would decide about a tool call, without
 * deciding it: no audit event, no approval, no judge request. Answers the outcome in the audit
 * log's words, the fields of a decision as {@code /api/intercept} answers them ({@code allowed},
 * {@code decision}, {@code rule}, {@code reason}, {@code reasons}, {@code risk_score} with its
 * {@code risk} factors and {@code evidence}), the policy version, and which judged rules the judge
 * model would be asked about (their verdict could change the outcome).
 */
public final class PolicyCheckEndpoint {
    /** The id a dry-run call carries; no provider call has it. */
    static final String DRY_RUN_CALL_ID = "dry-run";

    private final ToolCallGate gate;
    private final Redactor redactor;

    PolicyCheckEndpoint(ToolCallGate gate, Redactor redactor) {
        this.gate = gate;
        this.redactor = redactor;
    }

    /** {@code GET /api/policies/check?tool=&args=&agent=&model=}; {@code args} is the arguments' JSON text. */
    public void query(Exchange exchange) {
        String tool = ListParams.blankToNull(exchange.param("tool"));
        if (tool == null) {
            throw ApiError.badRequest("MISSING_PARAMETER", "tool= is required (the tool name to check)");
        }
        String args = ListParams.blankToNull(exchange.param("args"));
        answer(exchange, tool.trim(), args == null ? "{}" : args, exchange.param("agent"), exchange.param("model"));
    }

    /** {@code POST /api/policies/check} with {@code {"tool","arguments","agent","model"}}; arguments an object or its JSON text. */
    public void check(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        ObjectNode body = Json.readObject(exchange.request().content());
        String tool = ApprovalRulesEndpoints.requiredText(body, "tool");
        JsonNode arguments = body.path("arguments");
        String argumentsText;
        if (arguments.isMissingNode() || arguments.isNull()) {
            argumentsText = "{}";
        } else if (arguments.isTextual()) {
            argumentsText = arguments.textValue().isBlank() ? "{}" : arguments.textValue();
        } else if (arguments.isObject()) {
            argumentsText = Json.text(arguments);
        } else {
            throw ApiError.validation("arguments must be a JSON object, or its JSON text");
        }
        answer(exchange, tool, argumentsText, RequestBodies.optionalText(body, "agent"),
                RequestBodies.optionalText(body, "model"));
    }

    private void answer(Exchange exchange, String tool, String arguments, String agent, String model) {
        String workspace = exchange.principal().workspace();
        DryRun dryRun = DryRun.of(gate, new ToolCall(DRY_RUN_CALL_ID, tool, arguments), CallContext.of(workspace, agent, model));
        exchange.respondJson(HttpResponseStatus.OK, view(tool, workspace, agent, dryRun));
    }

    private ObjectNode view(String tool, String workspace, String agent, DryRun dryRun) {
        Evaluation evaluation = dryRun.evaluation();
        Decision decision = dryRun.call().decision();
        ObjectNode json = Json.object();
        json.put("tool", tool);
        json.put("workspace", workspace);
        json.put("agent", agent);
        json.put("outcome", ToolCallGate.auditDecision(decision));
        json.put("allowed", decision.releases());
        json.put("decision", decision.outcome().wireName());
        json.put("deciding_rule", decision.decidingRule());
        json.put("rule", decision.decidingRule());
        json.put("reason", decision.reasons().isEmpty() ? null : redactor.redactText(decision.reasons().get(0).message()));
        json.set("matched_rules", Json.MAPPER.valueToTree(decision.matchedRules()));
        ArrayNode reasons = json.putArray("reasons");
        // Reasons may quote the arguments (a parse error names the token it stopped at), as in the audit log.
        decision.reasons().forEach(finding -> reasons.addObject()
                .put("rule", finding.ruleId())
                .put("reason", redactor.redactText(finding.message()))
                .put("message", redactor.redactText(finding.message())));
        json.put("risk_score", decision.riskScore());
        json.set("risk", RiskViews.risk(dryRun.call().risk()));
        json.set("evidence", Json.MAPPER.valueToTree(RiskViews.evidence(decision, dryRun.call().risk(), redactor)));
        json.put("policy_version", decision.policyVersion());
        json.put("judge_would_be_asked", !evaluation.toJudge().isEmpty());
        json.set("judged_rules", Json.MAPPER.valueToTree(evaluation.toJudge().stream().map(Rule::id).toList()));
        return json;
    }
}
