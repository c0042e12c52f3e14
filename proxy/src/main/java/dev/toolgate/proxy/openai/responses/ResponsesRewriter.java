package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.openai.responses.ResponsesReplacement.Before;
import dev.toolgate.proxy.server.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a Responses API response after its calls were decided: each call that may not run is
 * replaced, at the same place in {@code output}, by an assistant message telling the agent why,
 * and the metadata block is added. Everything else stays as the upstream sent it.
 */
public final class ResponsesRewriter {
    private ResponsesRewriter() {
    }

    /** {@code gated} is parallel to {@code result.calls()}. */
    public static byte[] rewrite(ResponsesResult result, List<GatedCall> gated, DecisionSummary summary, String metadataField) {
        ObjectNode root = result.root();
        replaceWithheld(root, result.calls(), gated);
        root.set(metadataField, summary.metadata());
        return Json.bytes(root);
    }

    /**
     * Replaces in place (an item's position is its {@code output_index}, which clients use) and
     * keeps {@code output_text}, when the upstream sent one, in step with the messages.
     */
    static void replaceWithheld(ObjectNode response, List<ResponsesResult.ProposedCall> calls, List<GatedCall> gated) {
        if (calls.size() != gated.size()) {
            throw new IllegalArgumentException(gated.size() + " decisions for " + calls.size() + " calls");
        }
        if (calls.isEmpty()) {
            return;
        }
        ArrayNode output = (ArrayNode) response.get("output");
        Map<Integer, GatedCall> withheld = new HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            if (!gated.get(i).decision().releases()) {
                withheld.put(calls.get(i).outputIndex(), gated.get(i));
            }
        }
        if (withheld.isEmpty()) {
            return;
        }
        Before before = Before.NO_TEXT;
        for (int index = 0; index < output.size(); index++) {
            GatedCall replaced = withheld.get(index);
            if (replaced != null) {
                output.set(index, ResponsesReplacement.completedItem(replaced, before));
                before = Before.REPLACEMENT;
            } else if (output.get(index).path("type").asText("").equals("message")) {
                before = Before.MODEL_TEXT;
            }
        }
        if (response.path("output_text").isTextual()) {
            response.put("output_text", ResponsesReplacement.outputText(output));
        }
    }
}
