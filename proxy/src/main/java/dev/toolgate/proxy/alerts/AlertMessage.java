package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import java.time.Instant;

/**
 * The message an alert, its recovery, a rule test or a target check sends: one JSON object (what a
 * generic webhook receives and the outbox stores), rendered for Slack, Teams and email.
 */
final class AlertMessage {
    private AlertMessage() {
    }

    /** {@code event}: alert.fired, alert.recovered, alert.test or delivery.verify. */
    static ObjectNode of(String id, String event, String title, String text, String severity, Instant at) {
        ObjectNode message = Json.object();
        message.put("id", id);
        message.put("event", event);
        message.put("title", title);
        message.put("text", text);
        message.put("severity", severity);
        message.put("at", at.toString());
        return message;
    }

    static ObjectNode of(Alert alert, String event, String id) {
        String title = switch (event) {
            case "alert.recovered" -> "Recovered: " + alert.ruleName();
            case "alert.test" -> "Test alert: " + alert.ruleName();
            default -> "Alert: " + alert.ruleName();
        };
        ObjectNode message = of(id, event, title, alert.description(), alert.severity(), alert.at());
        message.put("workspace", alert.workspace());
        message.put("rule_id", alert.ruleId());
        message.put("metric", alert.metric());
        message.put("value", alert.value());
        return message;
    }

    static String plainText(ObjectNode message) {
        return message.path("title").asText() + "\n\n" + message.path("text").asText() + "\nSeverity: "
                + message.path("severity").asText() + "\nAt: " + message.path("at").asText();
    }

    static ObjectNode slack(ObjectNode message) {
        ObjectNode slack = Json.object();
        slack.put("text", "*" + message.path("title").asText() + "* (" + message.path("severity").asText() + ")\n"
                + message.path("text").asText());
        return slack;
    }

    static ObjectNode teams(ObjectNode message) {
        ObjectNode card = Json.object();
        card.put("@type", "MessageCard");
        card.put("@context", "https://schema.org/extensions");
        card.put("summary", message.path("title").asText());
        card.put("title", message.path("title").asText());
        card.put("text", message.path("text").asText() + " (severity: " + message.path("severity").asText() + ")");
        return card;
    }
}
