package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.provider.ReplayFormat;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An Anthropic Messages answer rebuilt from a stored approval: the model's text, then a
 * {@code tool_use} block per call with the same id and the same input.
 */
public final class AnthropicReplay implements ReplayFormat {
    private final AnthropicFormat format = new AnthropicFormat();

    @Override
    public ToolCallFormat format() {
        return format;
    }

    @Override
    public Optional<ObjectNode> answer(ObjectNode message, String answerId, String model, Instant now) {
        ObjectNode root = Json.object();
        root.put("id", "msg_toolgate_" + answerId.replace("-", ""));
        root.put("type", "message");
        root.put("role", "assistant");
        root.put("model", model);
        ArrayNode content = root.putArray("content");
        if (message.path("content").isTextual() && !message.path("content").textValue().isEmpty()) {
            content.add(AnthropicRewriter.textBlock(message.path("content").textValue()));
        }
        for (JsonNode toolCall : message.path("tool_calls")) {
            String id = toolCall.path("id").asText("");
            if (id.isEmpty() || !toolCall.path("function").isObject()) {
                return Optional.empty();
            }
            ObjectNode block = content.addObject();
            block.put("type", "tool_use");
            block.put("id", id);
            block.put("name", toolCall.path("function").path("name").asText(""));
            try {
                block.set("input", Json.MAPPER.readTree(toolCall.path("function").path("arguments").asText("{}")));
            } catch (IOException notJson) {
                return Optional.empty();
            }
        }
        root.put("stop_reason", "tool_use");
        root.putNull("stop_sequence");
        ObjectNode usage = root.putObject("usage");
        usage.put("input_tokens", 0);
        usage.put("output_tokens", 0);
        return Optional.of(root);
    }

    /** message_start, each content block (start, one delta, stop), message_delta with the metadata block, message_stop. */
    @Override
    public byte[] stream(ObjectNode rewritten, String metadataField) {
        List<ObjectNode> events = new ArrayList<>();
        ObjectNode started = rewritten.deepCopy();
        started.putArray("content");
        started.putNull("stop_reason");
        started.remove(metadataField);
        events.add(event("message_start").set("message", started));
        JsonNode content = rewritten.path("content");
        for (int index = 0; index < content.size(); index++) {
            JsonNode block = content.get(index);
            boolean toolUse = "tool_use".equals(block.path("type").asText());
            ObjectNode empty = block.deepCopy();
            if (toolUse) {
                empty.putObject("input");
            } else {
                empty.put("text", "");
            }
            events.add(event("content_block_start").put("index", index).set("content_block", empty));
            ObjectNode deltaEvent = event("content_block_delta").put("index", index);
            ObjectNode delta = deltaEvent.putObject("delta");
            if (toolUse) {
                delta.put("type", "input_json_delta").put("partial_json", Json.text(block.path("input")));
            } else {
                delta.put("type", "text_delta").put("text", block.path("text").asText(""));
            }
            events.add(deltaEvent);
            events.add(event("content_block_stop").put("index", index));
        }
        ObjectNode messageDelta = event("message_delta");
        messageDelta.putObject("delta").set("stop_reason", rewritten.path("stop_reason"));
        ((ObjectNode) messageDelta.get("delta")).putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", 0);
        messageDelta.set(metadataField, rewritten.path(metadataField));
        events.add(messageDelta);
        events.add(event("message_stop"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ObjectNode event : events) {
            out.writeBytes(SseEvent.of(event.path("type").asText(), Json.text(event)).raw());
        }
        return out.toByteArray();
    }

    private static ObjectNode event(String type) {
        ObjectNode event = Json.object();
        event.put("type", type);
        return event;
    }
}
