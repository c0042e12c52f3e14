package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.StoredAlertRule;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An alert rule read back from storage: its condition parsed, its delivery targets' ids. */
public record AlertRule(String id, String workspace, String name, AlertCondition condition, List<String> targetIds,
                        String severity, Instant createdAt) {

    public AlertRule {
        targetIds = List.copyOf(targetIds);
    }

    static AlertRule from(StoredAlertRule stored) {
        try {
            JsonNode condition = Json.MAPPER.readTree(stored.condition());
            List<String> targets = new ArrayList<>();
            Json.MAPPER.readTree(stored.deliveryTargets()).forEach(id -> targets.add(id.asText()));
            return new AlertRule(stored.id(), stored.workspace(), stored.name(), AlertCondition.parse(condition), targets,
                    stored.severity(), stored.createdAt());
        } catch (IOException e) {
            throw new IllegalStateException("alert rule " + stored.id() + " is stored unreadable: " + e.getMessage(), e);
        }
    }

    ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("id", id);
        json.put("name", name);
        json.set("condition", condition.toJson());
        ArrayNode targets = json.putArray("delivery_targets");
        targetIds.forEach(targets::add);
        json.put("severity", severity);
        json.put("created_at", createdAt.toString());
        return json;
    }
}
