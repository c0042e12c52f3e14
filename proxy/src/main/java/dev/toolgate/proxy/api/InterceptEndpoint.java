package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.proxy.server.RequestBodies;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/intercept}: asks for a decision on one tool call an agent is about to run,
 * for frameworks that do not go through the OpenAI proxy. Same evaluator, same audit. With an
 * {@code Idempotency-Key} (or {@code X-AL-Event-ID}), a retry gets the first answer and is not
 * decided or audited again.
 */
public final class InterceptEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(InterceptEndpoint.class);

    private final ToolCallGate gate;
    private final URI publicUrl;
    private final IdempotentAnswers idempotentAnswers;

    InterceptEndpoint(ToolCallGate gate, URI publicUrl, IdempotentAnswers idempotentAnswers) {
        this.gate = gate;
        this.publicUrl = publicUrl;
        this.idempotentAnswers = idempotentAnswers;
    }

    @Override
    public void serve(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        ObjectNode body = Json.readObject(exchange.request().content());
        JsonNode toolName = body.path("tool_name");
        if (toolName.isMissingNode() || toolName.isNull()) {
            throw ApiError.missingField("tool_name");
        }
        if (!toolName.isTextual() || toolName.textValue().isBlank()) {
            throw ApiError.validation("tool_name must be a non-empty string");
        }
        ToolCall call = new ToolCall(textOrNull(body.path("tool_call_id")), toolName.textValue(), arguments(body.path("arguments")));
        Principal principal = exchange.principal();
        CallContext context = new CallContext(principal.workspace(), principal.name(), body.path("model").asText(""),
                Map.of("source", "intercept", "path", exchange.path()));
        ToolCallGate.Request request = new ToolCallGate.Request(context, "intercept", List.of(call), null, null,
                exchange.elapsedNanos()).from(exchange.record());
        String idempotencyKey = IdempotentAnswers.keyOf(exchange.request().headers());
        if (idempotencyKey == null) {
            decide(request).thenAccept(answer -> send(exchange, answer, false));
            return;
        }
        idempotentAnswers.answer(principal, idempotencyKey, exchange.request().content(), exchange.eventLoop(), () -> decide(request))
                .whenComplete((reply, failure) -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof ApiError refused) {
                        exchange.fail(refused);
                    } else if (cause != null) {
                        log.error("could not answer an intercept under an idempotency key for agent '{}'; not allowed: {}",
                                principal.name(), cause.toString());
                        exchange.fail(ApiError.decisionUnavailable());
                    } else {
                        send(exchange, reply.answer(), reply.replayed());
                    }
                });
    }

    /** Always completes with an answer: a failure to decide is answered as one, never released. */
    private CompletableFuture<IdempotentAnswers.Answer> decide(ToolCallGate.Request request) {
        ToolCall call = request.calls().get(0);
        String agent = request.context().agent();
        return gate.decide(request).handle((gated, failure) -> {
            if (failure != null) {
                log.error("could not record the decision on '{}' for agent '{}'; answering not allowed: {}",
                        call.name(), agent, failure.toString());
                return IdempotentAnswers.Answer.of(ApiError.decisionUnavailable(), false);
            }
            try {
                return new IdempotentAnswers.Answer(HttpResponseStatus.OK, Json.bytes(answer(gated.get(0), publicUrl)), true);
            } catch (RuntimeException bug) {
                log.error("internal error answering an intercept for agent '{}'", agent, bug);
                return internalError();
            }
        });
    }

    private static IdempotentAnswers.Answer internalError() {
        // The decision was recorded: a retry gets this answer too rather than a second decision.
        return IdempotentAnswers.Answer.of(new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                "the gateway failed to answer; treat the call as not allowed"), true);
    }

    private static void send(Exchange exchange, IdempotentAnswers.Answer answer, boolean replayed) {
        FullHttpResponse response = Exchange.jsonResponse(answer.status(), answer.body());
        if (replayed) {
            response.headers().set(IdempotentAnswers.REPLAYED_HEADER, "true");
        }
        exchange.respond(response);
    }

    /** {@code arguments} may be an object, a JSON string (as in OpenAI tool calls) or absent. */
    private static String arguments(JsonNode arguments) {
        if (arguments.isMissingNode() || arguments.isNull()) {
            return "{}";
        }
        if (arguments.isObject()) {
            return arguments.toString();
        }
        if (arguments.isTextual()) {
            return arguments.textValue();
        }
        throw ApiError.validation("arguments must be a JSON object or a string holding one, got " + arguments.getNodeType().name().toLowerCase());
    }

    /** The answer to an intercept of one call: whether it may run, why, and its approval when held. */
    public static ObjectNode answer(GatedCall gated, URI publicUrl) {
        DecisionSummary summary = new DecisionSummary(List.of(gated), publicUrl);
        Decision decision = gated.decision();
        ObjectNode answer = Json.object();
        answer.put("allowed", decision.releases());
        answer.put("message", message(gated));
        answer.put("decision", decision.outcome().wireName());
        answer.put("risk_score", decision.riskScore());
        answer.set("risk", RiskViews.risk(gated.risk()));
        ObjectNode metadata = summary.metadata();
        metadata.remove("calls");
        answer.setAll(metadata);
        answer.set("matched_rules", Json.MAPPER.valueToTree(decision.matchedRules()));
        answer.set("reasons", Json.MAPPER.valueToTree(decision.reasons().stream()
                .map(f -> Map.of("rule", f.ruleId(), "reason", f.message())).toList()));
        if (gated.pending()) {
            answer.put("approval_url", summary.approvalUrl(gated.approvalId()));
        }
        return answer;
    }

    private static String message(GatedCall gated) {
        if (gated.decision() instanceof Decision.Warned) {
            return "Tool '" + gated.call().name() + "' is allowed with a warning.";
        }
        return gated.decision().releases() ? "Tool '" + gated.call().name() + "' is allowed." : DecisionSummary.replacementText(gated);
    }

    private static String textOrNull(JsonNode node) {
        return node.isTextual() ? node.textValue() : null;
    }
}
