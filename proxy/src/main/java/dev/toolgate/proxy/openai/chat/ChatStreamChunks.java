package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import java.util.Map;

/** Chat Completions stream chunks the gateway writes itself, shaped like the upstream's own. */
final class ChatStreamChunks {
    private ChatStreamChunks() {
    }

    /**
     * A chunk with the envelope of {@code like} (id, created, model, fingerprint...) and just
     * {@code choice}. Usage is nulled: it stays with the one chunk that carried it.
     */
    static SseEvent withChoice(ObjectNode like, ObjectNode choice) {
        ObjectNode chunk = Json.object();
        for (Map.Entry<String, JsonNode> field : like.properties()) {
            switch (field.getKey()) {
                case "choices" -> chunk.putArray("choices").add(choice);
                case "usage" -> chunk.putNull("usage");
                default -> chunk.set(field.getKey(), field.getValue());
            }
        }
        if (!chunk.has("choices")) {
            chunk.putArray("choices").add(choice);
        }
        return SseEvent.data(Json.text(chunk));
    }

    /** A choice as OpenAI streams it: index, delta, logprobs, finish_reason. */
    static ObjectNode choice(int index, ObjectNode delta, String finishReason) {
        ObjectNode choice = Json.object();
        choice.put("index", index);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return choice;
    }

    /** One content delta: the text that stands in for calls the agent may not run. */
    static SseEvent content(ObjectNode like, int choiceIndex, String text) {
        ObjectNode delta = Json.object();
        delta.put("content", text);
        return withChoice(like, choice(choiceIndex, delta, null));
    }

    /** The extra chunk before {@code [DONE]} carrying the decisions' metadata block. */
    static SseEvent metadata(ObjectNode like, String field, ObjectNode block) {
        ObjectNode chunk = Json.object();
        copyIfPresent(like, chunk, "id");
        chunk.put("object", "chat.completion.chunk");
        copyIfPresent(like, chunk, "created");
        copyIfPresent(like, chunk, "model");
        chunk.putArray("choices");
        chunk.set(field, block);
        return SseEvent.data(Json.text(chunk));
    }

    private static void copyIfPresent(ObjectNode from, ObjectNode to, String field) {
        if (from != null && from.has(field)) {
            to.set(field, from.get(field));
        }
    }
}
