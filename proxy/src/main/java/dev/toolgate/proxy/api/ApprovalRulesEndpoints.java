package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.storage.StoredRule;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET|POST /api/approval-rules}, {@code DELETE /api/approval-rules/:id}, in the shape of
 * the TrustLoop API ({@code rule_text}, {@code action}, {@code approver_email}) plus our
 * {@code tools}, {@code when}, {@code judged} and {@code replaces}. A rule with neither
 * {@code tools} nor {@code when} (the seed's body) is judged by the model: its {@code rule_text}
 * is the rule. With either it is exact, {@code rule_text} describing it, unless {@code judged} is
 * true, when they only narrow which calls are judged.
 */
public final class ApprovalRulesEndpoints {
    private final RuleBook rules;
    private final Blocking blocking;
    private final Clock clock;

    ApprovalRulesEndpoints(RuleBook rules, BlockingExecutor executor, Clock clock) {
        this.rules = rules;
        this.blocking = new Blocking(executor);
        this.clock = clock;
    }

    public void list(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            ObjectNode body = Json.object();
            ArrayNode list = body.putArray("rules");
            rules.configured().forEach(rule -> list.add(view(rule, "config")));
            for (StoredRule stored : rules.stored(workspace)) {
                ObjectNode json = view(RuleBook.toRule(stored), "api");
                json.put("created_at", stored.createdAt().toString());
                json.put("created_by", stored.createdBy());
                list.add(json);
            }
            return Blocking.Answer.ok(body);
        });
    }

    public void create(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        ObjectNode body = Json.readObject(exchange.request().content());
        String ruleText = requiredText(body, "rule_text");
        String action = action(requiredText(body, "action")).wireName();
        List<String> tools = tools(body.path("tools"));
        String when = RequestBodies.optionalText(body, "when");
        String approverEmail = RequestBodies.optionalText(body, "approver_email");
        boolean judged = optionalBoolean(body, "judged", tools.isEmpty() && when == null);
        String replaces = RequestBodies.optionalText(body, "replaces");
        if (!judged && tools.isEmpty()) {
            throw ApiError.validation("an exact rule (judged: false) must name the tools it covers in \"tools\""
                    + " (names or globs such as \"db_*\")");
        }
        String workspace = exchange.principal().workspace();
        StoredRule rule = new StoredRule("api-" + UUID.randomUUID().toString().substring(0, 8), workspace, ruleText, action,
                approverEmail, tools, when, judged, clock.instant(), exchange.principal().name());
        blocking.respond(exchange, () -> {
            try {
                if (!rules.replace(rule, replaces)) {
                    throw ApiError.notFound("no approval rule '" + replaces + "' to replace (replaces)");
                }
            } catch (RuleCompileException e) {
                throw ApiError.validation(e.field() + ": " + e.getMessage());
            }
            ObjectNode json = view(RuleBook.toRule(rule), "api");
            json.put("created_at", rule.createdAt().toString());
            json.put("created_by", rule.createdBy());
            return new Blocking.Answer(HttpResponseStatus.CREATED, json);
        });
    }

    public void delete(Exchange exchange) {
        String id = exchange.pathParam("id");
        if (rules.configured().stream().anyMatch(rule -> rule.id().equals(id))) {
            throw new ApiError(HttpResponseStatus.CONFLICT, "RULE_IN_CONFIG",
                    "rule '" + id + "' is defined in toolgate.yaml; remove it there");
        }
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            if (!rules.remove(workspace, id)) {
                throw ApiError.notFound("no approval rule '" + id + "'");
            }
            return Blocking.Answer.ok(Json.object().put("id", id).put("deleted", true));
        });
    }

    private static ObjectNode view(Rule rule, String source) {
        ObjectNode json = Json.object();
        json.put("id", rule.id());
        json.put("rule_text", rule.judged() ? rule.text() : rule.description());
        json.put("action", rule.action().wireName());
        json.put("approver_email", rule.approverEmail());
        json.set("tools", Json.MAPPER.valueToTree(rule.tools()));
        json.put("when", rule.when());
        json.put("judged", rule.judged());
        json.put("source", source);
        json.put("location", rule.location());
        return json;
    }

    /** approve or block: the two actions of the seed's rules. */
    static Action action(String text) {
        if (!text.equals("approve") && !text.equals("block")) {
            throw ApiError.validation("action must be \"approve\" or \"block\", got \"" + text + "\"");
        }
        return Action.parse(text);
    }

    static String requiredText(ObjectNode body, String field) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            throw ApiError.missingField(field);
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw ApiError.validation(field + " must be a non-empty string");
        }
        return value.textValue().trim();
    }

    private static boolean optionalBoolean(ObjectNode body, String field, boolean absent) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return absent;
        }
        if (!value.isBoolean()) {
            throw ApiError.validation(field + " must be true or false");
        }
        return value.booleanValue();
    }

    /** A list of names or globs, or one as a string. */
    static List<String> tools(JsonNode value) {
        List<String> tools = new ArrayList<>();
        if (value.isMissingNode() || value.isNull()) {
            return tools;
        }
        if (value.isTextual()) {
            value = Json.MAPPER.createArrayNode().add(value.textValue());
        }
        if (!value.isArray()) {
            throw ApiError.validation("tools must be a list of tool names or globs");
        }
        for (JsonNode tool : value) {
            if (!tool.isTextual() || tool.textValue().isBlank()) {
                throw ApiError.validation("tools must be a list of non-empty strings");
            }
            tools.add(tool.textValue().trim());
        }
        return tools;
    }
}
