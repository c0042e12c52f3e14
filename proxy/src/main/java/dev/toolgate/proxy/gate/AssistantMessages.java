package dev.toolgate.proxy.gate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.server.Json;

/**
 * A single call as a Chat Completions assistant message (JSON): the one form the approval store
 * keeps for replaying an approved call, whichever API it came through.
 */
public final class AssistantMessages {
    private AssistantMessages() {
    }

    /** {@code custom}: a custom tool call ({@code custom.input}) rather than a function call. */
    public static String forCall(ToolCall call, boolean custom) {
        ObjectNode message = Json.object();
        message.put("role", "assistant");
        message.putNull("content");
        ObjectNode toolCall = message.putArray("tool_calls").addObject();
        toolCall.put("id", call.id());
        toolCall.put("type", custom ? "custom" : "function");
        ObjectNode body = toolCall.putObject(custom ? "custom" : "function");
        body.put("name", call.name());
        body.put(custom ? "input" : "arguments", call.arguments());
        return Json.text(message);
    }
}
