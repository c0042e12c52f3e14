package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.provider.ReplayFormat;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Chat Completions answer rebuilt from a stored approval: the stored assistant message is already
 * in this format, so it goes into one choice as the model wrote it. Every call can be rebuilt.
 */
public final class ChatReplay implements ReplayFormat {
    private final ChatFormat format = new ChatFormat();

    @Override
    public ToolCallFormat format() {
        return format;
    }

    @Override
    public Optional<ObjectNode> answer(ObjectNode message, String answerId, String model, Instant now) {
        ObjectNode root = Json.object();
        root.put("id", "chatcmpl-toolgate-" + answerId);
        root.put("object", "chat.completion");
        root.put("created", now.getEpochSecond());
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", "tool_calls");
        return Optional.of(root);
    }

    /** One chunk with the message, one finishing it, one with the metadata block, then [DONE]. */
    @Override
    public byte[] stream(ObjectNode rewritten, String metadataField) {
        JsonNode choice = rewritten.path("choices").get(0);
        ObjectNode first = chunk(rewritten);
        ObjectNode firstChoice = ((ArrayNode) first.get("choices")).addObject().put("index", 0);
        ObjectNode delta = firstChoice.putObject("delta");
        delta.put("role", "assistant");
        delta.set("content", choice.path("message").path("content"));
        JsonNode toolCalls = choice.path("message").path("tool_calls");
        if (toolCalls.isArray()) {
            ArrayNode indexed = delta.putArray("tool_calls");
            for (int i = 0; i < toolCalls.size(); i++) {
                indexed.addObject().put("index", i).setAll((ObjectNode) toolCalls.get(i));
            }
        }
        firstChoice.putNull("finish_reason");
        ObjectNode last = chunk(rewritten);
        ObjectNode lastChoice = ((ArrayNode) last.get("choices")).addObject().put("index", 0);
        lastChoice.putObject("delta");
        lastChoice.set("finish_reason", choice.path("finish_reason"));
        ObjectNode metadata = chunk(rewritten);
        metadata.set(metadataField, rewritten.get(metadataField));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (ObjectNode chunk : List.of(first, last, metadata)) {
            body.writeBytes(SseEvent.data(Json.text(chunk)).raw());
        }
        body.writeBytes(SseEvent.data("[DONE]").raw());
        return body.toByteArray();
    }

    private static ObjectNode chunk(ObjectNode completion) {
        ObjectNode chunk = Json.object();
        chunk.set("id", completion.get("id"));
        chunk.put("object", "chat.completion.chunk");
        chunk.set("created", completion.get("created"));
        chunk.set("model", completion.get("model"));
        chunk.putArray("choices");
        return chunk;
    }
}
