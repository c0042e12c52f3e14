package dev.toolgate.proxy.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.server.Json;
import java.util.List;

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
        boolean replaced = false;
        for (int i = 0; i < calls.size(); i++) {
            if (!gated.get(i).decision().releases()) {
                output.set(calls.get(i).outputIndex(), ResponsesReplacement.completedItem(gated.get(i)));
                replaced = true;
            }
        }
        if (replaced && response.path("output_text").isTextual()) {
            response.put("output_text", ResponsesReplacement.outputText(output));
        }
    }
}
