package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed non-streaming Chat Completions response and the tool calls in it, in order: each
 * choice's {@code message.tool_calls}, and the legacy {@code message.function_call}.
 */
public final class ChatCompletion {
    private final ObjectNode root;
    private final List<ProposedCall> calls;

    /** One proposed call and where it sits in the response. */
    public record ProposedCall(ToolCall call, int choice, ObjectNode message, JsonNode node, boolean legacyFunctionCall) {
    }

    private ChatCompletion(ObjectNode root, List<ProposedCall> calls) {
        this.root = root;
        this.calls = calls;
    }

    /**
     * Reads the calls out of a response body that is already known to be a JSON object. Throws
     * {@link UnreadableAnswerException} for {@code choices} or {@code tool_calls} that are there
     * but are not arrays: a lenient client could still find calls in them (in JavaScript,
     * {@code choices[0]} works on an object), so such an answer is refused, not waved through.
     */
    public static ChatCompletion of(ObjectNode root) {
        List<ProposedCall> calls = new ArrayList<>();
        JsonNode choices = root.path("choices");
        if (choices.isObject()) {
            throw new UnreadableAnswerException("the upstream answered with 'choices' as an object instead of an array");
        }
        for (int c = 0; c < choices.size(); c++) {
            JsonNode message = choices.get(c).path("message");
            if (!(message instanceof ObjectNode messageObject)) {
                continue;
            }
            JsonNode toolCalls = message.path("tool_calls");
            if (!toolCalls.isMissingNode() && !toolCalls.isNull() && !toolCalls.isArray()) {
                throw new UnreadableAnswerException("the upstream answered with choices[" + c + "].message.tool_calls as "
                        + toolCalls.getNodeType().name().toLowerCase(Locale.ROOT) + " instead of an array");
            }
            for (JsonNode toolCall : toolCalls) {
                calls.add(new ProposedCall(toToolCall(toolCall), c, messageObject, toolCall, false));
            }
            JsonNode functionCall = message.path("function_call");
            if (functionCall.isObject()) {
                ToolCall call = new ToolCall(null, functionCall.path("name").asText(""), argumentsOf(functionCall.path("arguments")));
                calls.add(new ProposedCall(call, c, messageObject, functionCall, true));
            }
        }
        return new ChatCompletion(root, List.copyOf(calls));
    }

    public ObjectNode root() {
        return root;
    }

    public List<ProposedCall> calls() {
        return calls;
    }

    public String model() {
        return root.path("model").asText("");
    }

    /**
     * A function call ({@code function.name}, {@code function.arguments}), or a custom tool call
     * whose free-text {@code input} is decided as given. A shape we do not know still yields a
     * call (with whatever name it has), so it is decided rather than waved through.
     */
    private static ToolCall toToolCall(JsonNode toolCall) {
        String id = toolCall.path("id").isTextual() ? toolCall.path("id").textValue() : null;
        JsonNode function = toolCall.path("function");
        if (function.isObject()) {
            return new ToolCall(id, function.path("name").asText(""), argumentsOf(function.path("arguments")));
        }
        JsonNode custom = toolCall.path("custom");
        if (custom.isObject()) {
            return new ToolCall(id, custom.path("name").asText(""), argumentsOf(custom.path("input")));
        }
        return new ToolCall(id, toolCall.path("name").asText(""), toolCall.toString());
    }

    /** Arguments are a JSON string holding JSON; anything else is decided as its JSON text. */
    private static String argumentsOf(JsonNode arguments) {
        if (arguments.isTextual()) {
            return arguments.textValue();
        }
        return arguments.isMissingNode() || arguments.isNull() ? "" : arguments.toString();
    }
}
