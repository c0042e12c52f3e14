package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.AssistantMessages;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed non-streaming Anthropic Messages response and the client tool calls in it: each
 * {@code tool_use} content block, in order. Server tools ({@code server_tool_use}) already ran at
 * the provider, so they are not calls to decide.
 */
public final class AnthropicMessage {
    private final ObjectNode root;
    private final List<ProposedCall> calls;

    /** One proposed call and the position of its block in {@code content}. */
    public record ProposedCall(ToolCall call, int blockIndex) {
    }

    private AnthropicMessage(ObjectNode root, List<ProposedCall> calls) {
        this.root = root;
        this.calls = calls;
    }

    /**
     * Reads the calls out of a response body that is already known to be a JSON object; throws
     * {@link UnreadableAnswerException} for a {@code content} that is an object instead of an array,
     * where a lenient client could still find a {@code tool_use}.
     */
    public static AnthropicMessage of(ObjectNode root) {
        List<ProposedCall> calls = new ArrayList<>();
        JsonNode content = root.path("content");
        if (content.isObject()) {
            throw new UnreadableAnswerException("the upstream answered with 'content' as an object instead of an array");
        }
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            if ("tool_use".equals(block.path("type").asText())) {
                calls.add(new ProposedCall(toolCall(block.path("id"), block.path("name"), inputText(block.path("input"))), i));
            }
        }
        return new AnthropicMessage(root, List.copyOf(calls));
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

    /** The call as kept with a held approval (see {@link AssistantMessages}). */
    public static String assistantMessage(ToolCall call) {
        return AssistantMessages.forCall(call, false);
    }

    /**
     * Every call of this message and its text as one stored assistant message (see
     * {@link AssistantMessages#message}), so that the retry of a held call is answered with the
     * whole first message.
     */
    String assistantMessageOfAll() {
        StringBuilder text = new StringBuilder();
        for (JsonNode block : root.path("content")) {
            if ("text".equals(block.path("type").asText())) {
                text.append(block.path("text").asText(""));
            }
        }
        List<ObjectNode> toolCalls = calls.stream().map(proposed -> AssistantMessages.toolCall(proposed.call(), false)).toList();
        return Json.text(AssistantMessages.message(text.length() == 0 ? null : text.toString(), toolCalls));
    }

    static ToolCall toolCall(JsonNode id, JsonNode name, String arguments) {
        return new ToolCall(id.isTextual() ? id.textValue() : null, name.asText(""), arguments);
    }

    /** {@code input} is a JSON object; anything else is decided as its JSON text, a missing one as no arguments. */
    static String inputText(JsonNode input) {
        return input.isMissingNode() || input.isNull() ? "{}" : input.toString();
    }
}
