package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.server.Json;
import java.util.List;

/**
 * The assistant message that takes the place of a call the agent may not run, as a Responses
 * output item and as the stream events that build one. It carries only the replacement sentence,
 * never the call's arguments.
 */
final class ResponsesReplacement {
    private ResponsesReplacement() {
    }

    /**
     * Derived from the decision id: unique across turns (a stateless client sends earlier output
     * items back as input, where duplicate ids are refused), the same in a stream's events and in
     * its final response, and traceable to the audit log.
     */
    static String itemId(GatedCall call) {
        return "msg_toolgate_" + call.decisionId().replace("-", "");
    }

    /**
     * What the nearest message item before a replacement is. SDKs join every message's text into
     * one {@code output_text}, so the sentence is set off as the chat format does it: a blank line
     * after the model's text, a space after another replacement sentence.
     */
    enum Before {
        NO_TEXT(""), MODEL_TEXT("\n\n"), REPLACEMENT(" ");

        private final String separator;

        Before(String separator) {
            this.separator = separator;
        }
    }

    /** The finished message item, as it appears in {@code output}. */
    static ObjectNode completedItem(GatedCall call, Before before) {
        ObjectNode item = item(itemId(call), "completed");
        item.withArray("content").add(textPart(text(call, before)));
        return item;
    }

    private static String text(GatedCall call, Before before) {
        return before.separator + DecisionSummary.replacementText(call);
    }

    /**
     * The events a Responses stream uses to deliver one text message at {@code outputIndex}, in
     * order, without {@code sequence_number} (given when they are emitted).
     */
    static List<ObjectNode> streamEvents(int outputIndex, GatedCall call, Before before) {
        String id = itemId(call);
        String text = text(call, before);
        ObjectNode added = event("response.output_item.added", outputIndex, null);
        added.set("item", item(id, "in_progress"));
        ObjectNode partAdded = event("response.content_part.added", outputIndex, id);
        partAdded.set("part", textPart(""));
        ObjectNode delta = event("response.output_text.delta", outputIndex, id);
        delta.put("delta", text);
        delta.putArray("logprobs");
        ObjectNode textDone = event("response.output_text.done", outputIndex, id);
        textDone.put("text", text);
        textDone.putArray("logprobs");
        ObjectNode partDone = event("response.content_part.done", outputIndex, id);
        partDone.set("part", textPart(text));
        ObjectNode done = event("response.output_item.done", outputIndex, null);
        done.set("item", completedItem(call, before));
        return List.of(added, partAdded, delta, textDone, partDone, done);
    }

    /** The text of every message's output_text parts, as the SDKs compute {@code output_text}. */
    static String outputText(ArrayNode output) {
        StringBuilder text = new StringBuilder();
        output.forEach(item -> {
            if (item.path("type").asText("").equals("message")) {
                item.path("content").forEach(part -> {
                    if (part.path("type").asText("").equals("output_text")) {
                        text.append(part.path("text").asText(""));
                    }
                });
            }
        });
        return text.toString();
    }

    private static ObjectNode item(String id, String status) {
        ObjectNode item = Json.object();
        item.put("id", id);
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        item.putArray("content");
        return item;
    }

    private static ObjectNode textPart(String text) {
        ObjectNode part = Json.object();
        part.put("type", "output_text");
        part.put("text", text);
        part.putArray("annotations");
        return part;
    }

    private static ObjectNode event(String type, int outputIndex, String itemId) {
        ObjectNode event = Json.object();
        event.put("type", type);
        if (itemId != null) {
            event.put("item_id", itemId);
        }
        event.put("output_index", outputIndex);
        if (itemId != null) {
            event.put("content_index", 0);
        }
        return event;
    }
}
