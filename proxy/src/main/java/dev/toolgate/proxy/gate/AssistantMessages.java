package dev.toolgate.proxy.gate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.server.Json;
import java.util.List;

/**
 * A single call as a Chat Completions assistant message (JSON): the one form the approval store
 * keeps for replaying an approved call, whichever API it came through.
 */
public final class AssistantMessages {
    private AssistantMessages() {
    }

    /** {@code custom}: a custom tool call ({@code custom.input}) rather than a function call. */
    public static String forCall(ToolCall call, boolean custom) {
        return Json.text(message(null, List.of(toolCall(call, custom))));
    }

    /** One entry of {@code tool_calls}; a format may add a member of its own to replay the call in its own shape. */
    public static ObjectNode toolCall(ToolCall call, boolean custom) {
        ObjectNode toolCall = Json.object();
        toolCall.put("id", call.id());
        toolCall.put("type", custom ? "custom" : "function");
        ObjectNode body = toolCall.putObject(custom ? "custom" : "function");
        body.put("name", call.name());
        body.put(custom ? "input" : "arguments", call.arguments());
        return toolCall;
    }

    /**
     * An assistant message with the model's text ({@code content}, or null) and every call of one
     * answer, so that a retry answered from any one held call's approval is the whole first answer.
     */
    public static ObjectNode message(String content, List<ObjectNode> toolCalls) {
        ObjectNode message = Json.object();
        message.put("role", "assistant");
        if (content == null) {
            message.putNull("content");
        } else {
            message.put("content", content);
        }
        ArrayNode calls = message.putArray("tool_calls");
        toolCalls.forEach(calls::add);
        return message;
    }
}
