package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.proxy.server.RequestBodies;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/runtime/review}: one proposed tool call with its context (prompt, repository
 * context, trajectory, model metadata), reviewed before the agent runs it; the answer is an
 * {@code event}, the {@code intervention} to enforce and, for a block or an escalation, an
 * {@code incident}. The call goes through the gate like any other (rules, judge, breaker, risk):
 * with {@code log_event} true (the default) it is audited with source {@code review} and an
 * escalation is held for a person like an intercepted call; with {@code log_event} false it is a
 * dry run, as {@code /api/policies/check}: nothing audited, held or sent to the judge.
 */
public final class RuntimeReviewEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(RuntimeReviewEndpoint.class);
    /** Model metadata read from {@code metadata}, or from the top level as in LatentOps' examples. */
    private static final List<String> MODEL_METADATA = List.of("model_provider", "model_name", "agent_framework", "integration",
            "environment");

    private final ToolCallGate gate;
    private final Redactor redactor;
    private final URI publicUrl;

    RuntimeReviewEndpoint(ToolCallGate gate, Redactor redactor, URI publicUrl) {
        this.gate = gate;
        this.redactor = redactor;
        this.publicUrl = publicUrl;
    }

    /** The review request, read and checked. */
    private record Review(ToolCall call, String policy, boolean logEvent, ObjectNode modelMetadata, ObjectNode metadata,
                          CallContext context) {
    }

    @Override
    public void serve(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        Review review = read(exchange, Json.readObject(exchange.request().content()));
        if (!review.logEvent()) {
            DryRun dryRun = DryRun.of(gate, review.call(), review.context());
            exchange.respondJson(HttpResponseStatus.OK, answer(review, dryRun.call(), false));
            return;
        }
        ToolCallGate.Request request = new ToolCallGate.Request(review.context(), "review", List.of(review.call()), null, null,
                exchange.elapsedNanos()).from(exchange.record());
        gate.decide(request).whenComplete((gated, failure) -> {
            if (failure != null) {
                log.error("could not record the review of '{}' for agent '{}'; answering block: {}", review.call().name(),
                        review.context().agent(), failure.toString());
                exchange.fail(ApiError.decisionUnavailable());
                return;
            }
            try {
                exchange.respondJson(HttpResponseStatus.OK, answer(review, gated.get(0), true));
            } catch (RuntimeException bug) {
                log.error("internal error answering a review for agent '{}'", review.context().agent(), bug);
                exchange.fail(new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                        "the gateway failed to answer; treat the call as blocked"));
            }
        });
    }

    private static Review read(Exchange exchange, ObjectNode body) {
        JsonNode toolName = body.path("tool_name");
        if (toolName.isMissingNode() || toolName.isNull()) {
            throw ApiError.missingField("tool_name");
        }
        if (!toolName.isTextual() || toolName.textValue().isBlank()) {
            throw ApiError.validation("tool_name must be a non-empty string");
        }
        String arguments = arguments(body.path("tool_args"));
        ObjectNode repoContext = optionalObject(body, "repo_context");
        ObjectNode metadata = optionalObject(body, "metadata");
        JsonNode trajectory = body.path("trajectory");
        if (!trajectory.isMissingNode() && !trajectory.isNull() && !trajectory.isArray() && !trajectory.isObject()) {
            throw ApiError.validation("trajectory must be a list of steps (or an object)");
        }
        String policy = optionalText(body, "policy");
        String prompt = optionalText(body, "prompt");
        JsonNode logEvent = body.path("log_event");
        if (!logEvent.isMissingNode() && !logEvent.isNull() && !logEvent.isBoolean()) {
            throw ApiError.validation("log_event must be true or false");
        }
        ObjectNode modelMetadata = Json.object();
        for (String field : MODEL_METADATA) {
            JsonNode value = metadata != null && metadata.path(field).isTextual() ? metadata.path(field) : body.path(field);
            if (value.isTextual()) {
                modelMetadata.put(field, value.textValue());
            }
        }
        // What rules may look at in CEL ({@code request.repo_context.production_environment}), and the risk scorer reads.
        Map<String, Object> facts = new HashMap<>();
        facts.put("source", "review");
        facts.put("path", exchange.path());
        if (repoContext != null) {
            facts.put("repo_context", plain(repoContext));
        }
        if (modelMetadata.path("environment").isTextual()) {
            facts.put("environment", modelMetadata.path("environment").textValue());
        }
        if (policy != null) {
            facts.put("policy", policy);
        }
        if (prompt != null) {
            facts.put("prompt", prompt);
        }
        Principal principal = exchange.principal();
        CallContext context = new CallContext(principal.workspace(), principal.name(), modelMetadata.path("model_name").asText(""),
                facts);
        return new Review(new ToolCall(null, toolName.textValue(), arguments), policy == null ? "default" : policy,
                logEvent.isMissingNode() || logEvent.isNull() || logEvent.booleanValue(), modelMetadata, metadata, context);
    }

    private ObjectNode answer(Review review, GatedCall gated, boolean logged) {
        Decision decision = gated.decision();
        String verdict = verdict(decision);
        List<String> evidence = RiskViews.evidence(decision, gated.risk(), redactor);

        ObjectNode answer = Json.object();
        ObjectNode event = answer.putObject("event");
        event.put("id", gated.decisionId());
        event.put("logged", logged);
        event.put("decision", verdict);
        event.put("risk_score", decision.riskScore());
        event.put("tool_name", review.call().name());
        event.put("policy", review.policy());
        event.put("policy_version", decision.policyVersion());
        event.put("rule", decision.decidingRule());
        event.set("matched_rules", Json.MAPPER.valueToTree(decision.matchedRules()));
        ObjectNode metadata = event.putObject("metadata");
        metadata.set("model_metadata", review.modelMetadata());
        metadata.put("agent", review.context().agent());
        metadata.put("workspace", review.context().workspace());
        if (review.metadata() != null) {
            for (String field : List.of("agent_id", "agent_name")) {
                if (review.metadata().path(field).isTextual()) {
                    metadata.put(field, review.metadata().path(field).textValue());
                }
            }
        }

        ObjectNode intervention = answer.putObject("intervention");
        intervention.put("decision", verdict);
        intervention.put("risk_score", decision.riskScore());
        intervention.put("recommended_control", recommendedControl(gated, logged));
        intervention.set("evidence", Json.MAPPER.valueToTree(evidence));
        intervention.set("risk", RiskViews.risk(gated.risk()));

        if (verdict.equals("block") || verdict.equals("escalate")) {
            answer.set("incident", incident(gated, verdict, logged));
        } else {
            answer.putNull("incident");
        }
        return answer;
    }

    /** The outcome in LatentOps' words: block, escalate (a person must approve), warn or allow. */
    static String verdict(Decision decision) {
        return switch (decision.outcome()) {
            case BLOCK -> "block";
            case APPROVE -> "escalate";
            case WARN -> "warn";
            case ALLOW -> "allow";
        };
    }

    private String recommendedControl(GatedCall gated, boolean logged) {
        Decision decision = gated.decision();
        return switch (decision.outcome()) {
            case BLOCK -> "Do not execute: blocked by " + decision.decidingRule() + ".";
            case APPROVE -> gated.approvalId() != null
                    ? "Do not execute until a person approves; poll " + approvalUrl(gated) + "."
                    : "Do not execute without a person's approval.";
            case WARN -> "Execute only with a visible warning" + (logged ? "; the call is audited." : ".");
            case ALLOW -> "Execute.";
        };
    }

    private ObjectNode incident(GatedCall gated, String verdict, boolean logged) {
        Decision decision = gated.decision();
        ObjectNode incident = Json.object();
        boolean held = gated.approvalId() != null;
        incident.put("id", held ? gated.approvalId() : gated.decisionId());
        incident.put("type", verdict.equals("block") ? "blocked" : "approval_required");
        incident.put("status", verdict.equals("block") ? "blocked" : held ? "pending_approval" : "not_held");
        incident.put("decision_id", gated.decisionId());
        incident.put("rule", decision.decidingRule());
        incident.put("reason", decision.reasons().isEmpty() ? null : redactor.redactText(decision.reasons().get(0).message()));
        incident.put("logged", logged);
        if (held) {
            incident.put("approval_id", gated.approvalId());
            incident.put("approval_url", approvalUrl(gated));
        }
        return incident;
    }

    private String approvalUrl(GatedCall gated) {
        return new DecisionSummary(List.of(gated), publicUrl).approvalUrl(gated.approvalId());
    }

    /** {@code tool_args} may be an object, a JSON string holding one (as in OpenAI tool calls) or absent. */
    private static String arguments(JsonNode arguments) {
        if (arguments.isMissingNode() || arguments.isNull()) {
            return "{}";
        }
        if (arguments.isObject()) {
            return arguments.toString();
        }
        if (arguments.isTextual()) {
            return arguments.textValue().isBlank() ? "{}" : arguments.textValue();
        }
        throw ApiError.validation("tool_args must be a JSON object or a string holding one, got "
                + arguments.getNodeType().name().toLowerCase());
    }

    private static ObjectNode optionalObject(ObjectNode body, String field) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw ApiError.validation(field + " must be a JSON object");
        }
        return (ObjectNode) value;
    }

    private static String optionalText(ObjectNode body, String field) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.validation(field + " must be a string");
        }
        return value.textValue();
    }

    /** JSON as the values CEL reads: maps, lists, strings, booleans, longs and doubles; nulls left out. */
    private static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getValue().isNull()) {
                    map.put(field.getKey(), plain(field.getValue()));
                }
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(element -> {
                if (!element.isNull()) {
                    list.add(plain(element));
                }
            });
            return list;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }
}
