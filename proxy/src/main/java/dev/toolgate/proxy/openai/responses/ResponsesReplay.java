package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.provider.ReplayFormat;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Responses API answer rebuilt from a stored approval: each call is the output item the model
 * sent when the response was read whole ({@link ResponsesResult#STORED_ITEM}), else a
 * {@code function_call} or {@code custom_tool_call} item with the same call id and arguments. A
 * built-in tool's call kept without its item (it came in a stream) cannot be told from a function
 * of the same name, so it is not rebuilt: that retry goes to the model.
 */
public final class ResponsesReplay implements ReplayFormat {
    private static final JsonNodeFactory TEXT = Json.MAPPER.getNodeFactory();
    private static final Set<String> BUILT_IN_TOOLS = Set.of("local_shell", "computer", "shell", "apply_patch");
    private final ResponsesFormat format = new ResponsesFormat();

    @Override
    public ToolCallFormat format() {
        return format;
    }

    @Override
    public Optional<ObjectNode> answer(ObjectNode message, String answerId, String model, Instant now) {
        String id = answerId.replace("-", "");
        ObjectNode root = Json.object();
        root.put("id", "resp_toolgate_" + id);
        root.put("object", "response");
        root.put("created_at", now.getEpochSecond());
        root.put("status", "completed");
        root.putNull("error");
        root.putNull("incomplete_details");
        root.putNull("instructions");
        root.putNull("max_output_tokens");
        root.put("model", model);
        ArrayNode output = root.putArray("output");
        root.put("parallel_tool_calls", true);
        root.putNull("previous_response_id");
        root.putNull("temperature");
        root.putObject("text").putObject("format").put("type", "text");
        root.put("tool_choice", "auto");
        root.putArray("tools");
        root.putNull("top_p");
        ObjectNode usage = root.putObject("usage");
        usage.put("input_tokens", 0);
        usage.putObject("input_tokens_details").put("cached_tokens", 0);
        usage.put("output_tokens", 0);
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", 0);
        root.putObject("metadata");
        if (message.path("content").isTextual() && !message.path("content").textValue().isEmpty()) {
            ObjectNode text = output.addObject();
            text.put("id", "msg_toolgate_" + id);
            text.put("type", "message");
            text.put("status", "completed");
            text.put("role", "assistant");
            ObjectNode part = text.putArray("content").addObject();
            part.put("type", "output_text");
            part.put("text", message.path("content").textValue());
            part.putArray("annotations");
        }
        for (JsonNode toolCall : message.path("tool_calls")) {
            Optional<ObjectNode> item = item(toolCall);
            if (item.isEmpty()) {
                return Optional.empty();
            }
            output.add(item.get());
        }
        return Optional.of(root);
    }

    private static Optional<ObjectNode> item(JsonNode toolCall) {
        if (toolCall.path(ResponsesResult.STORED_ITEM) instanceof ObjectNode stored) {
            return Optional.of(stored.deepCopy());
        }
        boolean custom = toolCall.path("type").asText("").equals("custom");
        JsonNode body = toolCall.path(custom ? "custom" : "function");
        String name = body.path("name").asText("");
        String callId = toolCall.path("id").asText("");
        if (BUILT_IN_TOOLS.contains(name) || callId.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode item = Json.object();
        item.put("id", (custom ? "ctc_toolgate_" : "fc_toolgate_") + callId.replaceAll("[^A-Za-z0-9_]", ""));
        item.put("type", custom ? ResponsesResult.CUSTOM_TOOL_CALL : ResponsesResult.FUNCTION_CALL);
        item.put("status", "completed");
        item.put(custom ? "input" : "arguments", body.path(custom ? "input" : "arguments").asText(""));
        item.put("call_id", callId);
        item.put("name", name);
        return Optional.of(item);
    }

    /**
     * The events a Responses stream delivers the same response with: created, each output item
     * (added, its argument or text events, done), completed with the metadata block.
     */
    @Override
    public byte[] stream(ObjectNode rewritten, String metadataField) {
        Events events = new Events();
        ObjectNode started = rewritten.deepCopy();
        started.put("status", "in_progress");
        started.putArray("output");
        started.remove(metadataField);
        started.remove("output_text");
        events.add("response.created", "response", started);
        JsonNode output = rewritten.path("output");
        for (int index = 0; index < output.size(); index++) {
            item(events, index, (ObjectNode) output.get(index));
        }
        events.add("response.completed", "response", rewritten);
        return events.bytes();
    }

    private static void item(Events events, int index, ObjectNode item) {
        String type = item.path("type").asText("");
        String itemId = item.path("id").asText("");
        ObjectNode added = item.deepCopy();
        added.put("status", "in_progress");
        if (type.equals("message")) {
            added.putArray("content");
        } else if (type.equals(ResponsesResult.FUNCTION_CALL)) {
            added.put("arguments", "");
        } else if (type.equals(ResponsesResult.CUSTOM_TOOL_CALL)) {
            added.put("input", "");
        }
        events.add("response.output_item.added", index, null, -1, "item", added);
        if (type.equals("message")) {
            JsonNode content = item.path("content");
            for (int part = 0; part < content.size(); part++) {
                String text = content.get(part).path("text").asText("");
                ObjectNode empty = content.get(part).deepCopy();
                empty.put("text", "");
                events.add("response.content_part.added", index, itemId, part, "part", empty);
                events.add("response.output_text.delta", index, itemId, part, "delta", TEXT.textNode(text)).putArray("logprobs");
                events.add("response.output_text.done", index, itemId, part, "text", TEXT.textNode(text)).putArray("logprobs");
                events.add("response.content_part.done", index, itemId, part, "part", content.get(part));
            }
        } else if (type.equals(ResponsesResult.FUNCTION_CALL) || type.equals(ResponsesResult.CUSTOM_TOOL_CALL)) {
            boolean custom = type.equals(ResponsesResult.CUSTOM_TOOL_CALL);
            String field = custom ? "input" : "arguments";
            String prefix = custom ? "response.custom_tool_call_input" : "response.function_call_arguments";
            events.add(prefix + ".delta", index, itemId, -1, "delta", item.path(field));
            events.add(prefix + ".done", index, itemId, -1, field, item.path(field));
        }
        events.add("response.output_item.done", index, null, -1, "item", item);
    }

    /** Events numbered in the order they are added, written out at the end (a caller may still add a member). */
    private static final class Events {
        private final List<ObjectNode> events = new ArrayList<>();

        void add(String type, String field, JsonNode value) {
            ObjectNode event = Json.object();
            event.put("type", type);
            event.set(field, value);
            numbered(event);
        }

        ObjectNode add(String type, int outputIndex, String itemId, int contentIndex, String field, JsonNode value) {
            ObjectNode event = Json.object();
            event.put("type", type);
            if (itemId != null) {
                event.put("item_id", itemId);
            }
            event.put("output_index", outputIndex);
            if (contentIndex >= 0) {
                event.put("content_index", contentIndex);
            }
            event.set(field, value);
            return numbered(event);
        }

        private ObjectNode numbered(ObjectNode event) {
            event.put("sequence_number", events.size());
            events.add(event);
            return event;
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ObjectNode event : events) {
                out.writeBytes(SseEvent.of(event.path("type").asText(), Json.text(event)).raw());
            }
            return out.toByteArray();
        }
    }
}
