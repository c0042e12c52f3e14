package dev.toolgate.proxy.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.PendingApproval;
import java.io.IOException;

/**
 * The answer to an agent that sends a conversation again while an approval covers it, built from
 * the stored assistant message without asking the model: the message as the model first wrote it,
 * every call in it (same ids, same arguments), to be decided again by the gate, which settles the
 * held ones from their approvals.
 */
final class ApprovalRetry {
    private ApprovalRetry() {
    }

    /**
     * The stored assistant message when it still holds the approval's call, byte for byte; rebuilt
     * from the stored tool and arguments only when it does not (intercept calls keep no message).
     */
    static ObjectNode originalMessage(PendingApproval approval) {
        if (approval.assistantMessage() != null && approval.toolCallId() != null) {
            try {
                if (Json.MAPPER.readTree(approval.assistantMessage()) instanceof ObjectNode message && holdsCall(message, approval)) {
                    return message;
                }
            } catch (IOException unreadable) {
                // fall through to the rebuilt message
            }
        }
        ObjectNode message = Json.object();
        message.put("role", "assistant");
        message.putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("id", approval.toolCallId() != null ? approval.toolCallId() : "call_" + approval.id().replace("-", ""));
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", approval.tool());
        function.put("arguments", approval.arguments());
        return message;
    }

    private static boolean holdsCall(ObjectNode message, PendingApproval approval) {
        for (JsonNode toolCall : message.path("tool_calls")) {
            if (approval.toolCallId().equals(toolCall.path("id").asText(null))) {
                return true;
            }
        }
        return false;
    }
}
