package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.server.Json;
import java.util.List;

/**
 * Rewrites a non-streaming Messages response after its calls were decided: each {@code tool_use}
 * block that may not run is replaced in place by a text block saying why, a message left without
 * calls ends with {@code end_turn}, and the metadata block is added. Everything else stays as the
 * upstream sent it.
 */
public final class AnthropicRewriter {
    private AnthropicRewriter() {
    }

    /** {@code gated} is parallel to {@code message.calls()}. */
    public static byte[] rewrite(AnthropicMessage message, List<GatedCall> gated, DecisionSummary summary, String metadataField) {
        ObjectNode root = message.root();
        JsonNode content = root.path("content");
        for (int i = 0; i < gated.size(); i++) {
            GatedCall decided = gated.get(i);
            if (!decided.decision().releases()) {
                ((ArrayNode) content).set(message.calls().get(i).blockIndex(), textBlock(DecisionSummary.replacementText(decided)));
            }
        }
        if (!hasToolUse(content) && "tool_use".equals(root.path("stop_reason").asText())) {
            // The agent would otherwise wait for tool results it was never asked for.
            root.put("stop_reason", "end_turn");
        }
        root.set(metadataField, summary.metadata());
        return Json.bytes(root);
    }

    static ObjectNode textBlock(String text) {
        ObjectNode block = Json.object();
        block.put("type", "text");
        block.put("text", text);
        return block;
    }

    private static boolean hasToolUse(JsonNode content) {
        for (JsonNode block : content) {
            if ("tool_use".equals(block.path("type").asText())) {
                return true;
            }
        }
        return false;
    }
}
