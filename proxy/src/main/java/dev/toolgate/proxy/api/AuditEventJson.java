package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditEvent;
import java.io.IOException;

/** How an audit event looks in {@code GET /api/logs} (and the dashboard's live feed). */
public final class AuditEventJson {
    private AuditEventJson() {
    }

    public static ObjectNode of(AuditEvent event) {
        ObjectNode json = Json.object();
        json.put("id", event.eventId());
        json.put("time", event.time().toString());
        json.put("workspace", event.workspace());
        json.put("agent", event.agent());
        json.put("source", event.source());
        json.put("tool", event.tool());
        json.put("tool_call_id", event.toolCallId());
        json.set("arguments", arguments(event.arguments()));
        json.put("status", event.decision());
        json.set("rules", Json.MAPPER.valueToTree(event.rules()));
        json.set("reasons", Json.MAPPER.valueToTree(event.reasons()));
        json.put("risk_score", event.riskScore());
        json.put("approval_id", event.approvalId());
        json.put("policy_version", event.policyVersion());
        json.put("model", event.model());
        if (event.upstreamStatus() == null) {
            json.putNull("upstream_status");
        } else {
            json.put("upstream_status", event.upstreamStatus());
        }
        json.put("overhead_micros", event.overheadMicros());
        json.put("decided_by", event.decidedBy());
        return json;
    }

    /** Arguments were stored as (redacted) JSON text; shown as JSON, or as the text when they were never JSON. */
    private static JsonNode arguments(String text) {
        if (text == null || text.isBlank()) {
            return Json.object();
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException notJson) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }
}
