package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.server.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites a Chat Completions response after its calls were decided: calls that may not run are
 * removed, the message's text tells the agent why (after any text of the model's own), a message
 * with no calls left finishes with {@code stop}, and the metadata block is added. Everything else stays as the upstream sent it.
 */
public final class ChatResponseRewriter {
    private ChatResponseRewriter() {
    }

    /** {@code gated} is parallel to {@code completion.calls()}. */
    public static byte[] rewrite(ChatCompletion completion, List<GatedCall> gated, DecisionSummary summary, String metadataField) {
        ObjectNode root = completion.root();
        JsonNode choices = root.path("choices");
        for (int c = 0; c < choices.size(); c++) {
            // A choice that is not an object holds no call (ChatCompletion found none there).
            if (choices.get(c) instanceof ObjectNode choice) {
                rewriteChoice(choice, c, completion.calls(), gated);
            }
        }
        root.set(metadataField, summary.metadata());
        return Json.bytes(root);
    }

    private static void rewriteChoice(ObjectNode choice, int index, List<ChatCompletion.ProposedCall> calls, List<GatedCall> gated) {
        ObjectNode message = null;
        List<JsonNode> keptToolCalls = new ArrayList<>();
        boolean hadToolCalls = false;
        Set<String> replacements = new LinkedHashSet<>();
        for (int i = 0; i < calls.size(); i++) {
            ChatCompletion.ProposedCall proposed = calls.get(i);
            if (proposed.choice() != index) {
                continue;
            }
            message = proposed.message();
            GatedCall decided = gated.get(i);
            if (proposed.legacyFunctionCall()) {
                if (!decided.decision().releases()) {
                    message.remove("function_call");
                    replacements.add(DecisionSummary.replacementText(decided));
                }
                continue;
            }
            hadToolCalls = true;
            if (decided.decision().releases()) {
                keptToolCalls.add(proposed.node());
            } else {
                replacements.add(DecisionSummary.replacementText(decided));
            }
        }
        if (message == null || replacements.isEmpty()) {
            return;
        }
        if (hadToolCalls) {
            if (keptToolCalls.isEmpty()) {
                message.remove("tool_calls");
            } else {
                ArrayNode kept = message.putArray("tool_calls");
                keptToolCalls.forEach(kept::add);
            }
        }
        // The model learns on its next turn why a call did not run, also when others did.
        message.put("content", withOriginalText(message.path("content"), String.join(" ", replacements)));
        if (!message.has("tool_calls") && !message.has("function_call")) {
            String finish = choice.path("finish_reason").asText("");
            if (finish.equals("tool_calls") || finish.equals("function_call")) {
                choice.put("finish_reason", "stop");
            }
        }
    }

    /** Text the model wrote before its calls is kept; the explanation follows it. */
    private static String withOriginalText(JsonNode content, String explanation) {
        String original = content.isTextual() ? content.textValue() : "";
        return original.isBlank() ? explanation : original + "\n\n" + explanation;
    }
}
