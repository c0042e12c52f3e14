package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.RiskConfig;
import dev.toolgate.config.RiskConfig.Sensitivity;
import dev.toolgate.config.RiskConfig.ToolCategory;
import dev.toolgate.policy.Action;
import dev.toolgate.proxy.gate.RiskScorer;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code GET /v1/runtime/tool-taxonomy}: the categories of tools the risk score knows (in the
 * order they are tried), each with its sensitivity, tool patterns and recommended control; the
 * sensitivity levels and every factor's weight; and the production markers, protected paths and
 * destructive patterns in force.
 */
public final class ToolTaxonomyEndpoint implements Endpoint {
    private final ToolCallGate gate;

    ToolTaxonomyEndpoint(ToolCallGate gate) {
        this.gate = gate;
    }

    @Override
    public void serve(Exchange exchange) {
        RiskConfig config = gate.riskScorer().config();
        ObjectNode json = Json.object();
        ArrayNode categories = json.putArray("categories");
        for (ToolCategory category : config.categories()) {
            ObjectNode entry = categories.addObject();
            entry.put("name", category.name());
            entry.put("sensitivity", category.sensitivity().wireName());
            entry.put("risk_weight", RiskScorer.weightOf(category.sensitivity()));
            entry.set("tools", Json.MAPPER.valueToTree(category.tools()));
            entry.put("default_control", category.control());
        }
        ObjectNode levels = json.putObject("sensitivity_levels");
        for (Sensitivity level : Sensitivity.values()) {
            levels.put(level.wireName(), RiskScorer.weightOf(level));
        }
        ArrayNode factors = json.putArray("factors");
        factor(factors, "tool_sensitivity", RiskScorer.weightOf(Sensitivity.CRITICAL),
                "the tool's category in this taxonomy: its sensitivity level's weight");
        factor(factors, "production_environment", RiskScorer.PRODUCTION_WEIGHT,
                "the request declares production, or the workspace or the arguments name a production marker");
        factor(factors, "protected_path", RiskScorer.PROTECTED_PATH_WEIGHT,
                "the arguments mention a protected path (configured, or in the review's repo_context.protected_paths)");
        factor(factors, "destructive_pattern", RiskScorer.DESTRUCTIVE_WEIGHT, "the arguments match a destructive command pattern");
        factor(factors, "rule_matched", RiskScorer.weightOf(Action.BLOCK),
                "a rule decided the call: block 0.3, approve 0.2, warn 0.1; nothing for the policy default");
        factor(factors, "recent_blocks", RiskScorer.RECENT_BLOCKS_MAX,
                "0.05 per call of the same agent blocked in the last 15 minutes");
        json.put("score", "the sum of the factors' contributions, capped at 1");
        json.set("production_markers", Json.MAPPER.valueToTree(config.productionMarkers()));
        json.set("protected_paths", Json.MAPPER.valueToTree(config.protectedPaths()));
        json.set("destructive_patterns", Json.MAPPER.valueToTree(config.destructivePatterns()));
        exchange.respondJson(HttpResponseStatus.OK, json);
    }

    private static void factor(ArrayNode factors, String name, double maxWeight, String description) {
        factors.addObject().put("factor", name).put("max_weight", maxWeight).put("description", description);
    }
}
