package dev.toolgate.proxy.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names of the tool calls a client assembles from what the gateway sent, read the way the
 * SDKs read each format, and leniently: where a list is expected, an object's values count too.
 * The fuzz tests' invariant is that none is {@link GovernedDecider#BLOCKED}: a blocked call
 * reaches the client neither as a call nor with its arguments (which only ever travel inside
 * the call).
 */
final class ClientCalls {
    private ClientCalls() {
    }

    // ---- Chat Completions

    /**
     * Streamed: each choice's {@code delta.tool_calls[i]} fragments joined per call (keyed by the
     * choice's and the call's {@code index}, or their position when absent), and the legacy
     * {@code delta.function_call}. A call is a custom tool call once its {@code type} says so, or
     * when it has {@code custom} and no {@code function}, as the gateway reads it.
     */
    static List<String> chatStream(List<SseEvent> events) {
        Map<String, StringBuilder> names = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Boolean> custom = new LinkedHashMap<>();
        for (SseEvent event : events) {
            if (!(object(event) instanceof ObjectNode chunk)) {
                continue;
            }
            List<JsonNode> choices = elements(chunk.path("choices"));
            for (int position = 0; position < choices.size(); position++) {
                JsonNode choice = choices.get(position);
                int index = choice.path("index").asInt(position);
                JsonNode delta = choice.path("delta");
                JsonNode toolCalls = delta.path("tool_calls");
                if (present(toolCalls)) {
                    int callPosition = 0;
                    for (JsonNode toolCall : elements(toolCalls)) {
                        String key = index + ":" + toolCall.path("index").asInt(callPosition++);
                        if (!types.containsKey(key) && toolCall.path("type").isTextual()) {
                            types.put(key, toolCall.get("type").textValue());
                        }
                        boolean isCustom = custom.getOrDefault(key, false) || "custom".equals(types.get(key))
                                || (!toolCall.has("function") && toolCall.has("custom"));
                        custom.put(key, isCustom);
                        append(names, key, toolCall.path(isCustom ? "custom" : "function").path("name"));
                    }
                }
                if (present(delta.path("function_call"))) {
                    append(names, index + ":legacy", delta.path("function_call").path("name"));
                }
            }
        }
        return names.values().stream().map(StringBuilder::toString).toList();
    }

    /** Whole: each choice's {@code message.tool_calls} (function or custom) and {@code message.function_call}. */
    static List<String> chatAnswer(JsonNode answer) {
        List<String> names = new ArrayList<>();
        for (JsonNode choice : arrayAt(answer, "choices")) {
            JsonNode message = choice.path("message");
            for (JsonNode toolCall : arrayAt(message, "tool_calls")) {
                boolean isCustom = "custom".equals(toolCall.path("type").asText()) || (!toolCall.has("function") && toolCall.has("custom"));
                names.add(toolCall.path(isCustom ? "custom" : "function").path("name").asText(""));
            }
            if (message.path("function_call").isObject()) {
                names.add(message.path("function_call").path("name").asText(""));
            }
        }
        return names;
    }

    // ---- Responses

    /**
     * Streamed: call items wherever an SDK reads items: the {@code item} of
     * {@code output_item.added} and {@code .done} (by the data's {@code type} or the
     * {@code event:} name), and the {@code output} of any event's {@code response} (the snapshots
     * the SDKs accumulate from).
     */
    static List<String> responsesStream(List<SseEvent> events) {
        List<String> names = new ArrayList<>();
        for (SseEvent event : events) {
            if (object(event) instanceof ObjectNode json) {
                boolean itemEvent = isA(event, json, "response.output_item.added") || isA(event, json, "response.output_item.done");
                if (itemEvent && json.get("item") instanceof ObjectNode item) {
                    callName(item, names);
                }
                if (json.get("response") instanceof ObjectNode response) {
                    names.addAll(responsesAnswer(response));
                }
            }
        }
        return names;
    }

    /** Whole: the call items in {@code output}. */
    static List<String> responsesAnswer(JsonNode response) {
        List<String> names = new ArrayList<>();
        arrayAt(response, "output").forEach(item -> callName(item, names));
        return names;
    }

    private static void callName(JsonNode item, List<String> names) {
        String type = item.path("type").asText("");
        if (type.equals("function_call") || type.equals("custom_tool_call")) {
            names.add(item.path("name").asText(""));
        }
    }

    // ---- Anthropic Messages

    /**
     * Streamed: {@code tool_use} blocks started by {@code content_block_start}, and any in the
     * {@code message} of {@code message_start} (the snapshot the SDKs accumulate from). An event
     * counts as either when its data's {@code type} or its {@code event:} name says so, since
     * clients dispatch on one or the other.
     */
    static List<String> anthropicStream(List<SseEvent> events) {
        List<String> names = new ArrayList<>();
        for (SseEvent event : events) {
            if (object(event) instanceof ObjectNode json) {
                if (isA(event, json, "content_block_start") && json.get("content_block") instanceof ObjectNode block
                        && "tool_use".equals(block.path("type").asText())) {
                    names.add(block.path("name").asText(""));
                }
                if (isA(event, json, "message_start") && json.get("message") instanceof ObjectNode message) {
                    names.addAll(anthropicAnswer(message));
                }
            }
        }
        return names;
    }

    private static boolean isA(SseEvent event, JsonNode json, String type) {
        return type.equals(json.path("type").asText()) || type.equals(event.event());
    }

    /** Whole: the {@code tool_use} blocks in {@code content}. */
    static List<String> anthropicAnswer(JsonNode message) {
        List<String> names = new ArrayList<>();
        for (JsonNode block : arrayAt(message, "content")) {
            if ("tool_use".equals(block.path("type").asText())) {
                names.add(block.path("name").asText(""));
            }
        }
        return names;
    }

    // ----

    private static JsonNode object(SseEvent event) {
        if (event.data() == null || event.isDone()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(event.data());
        } catch (IOException notJson) {
            return null;
        }
    }

    private static Iterable<JsonNode> arrayAt(JsonNode node, String field) {
        return elements(node.path(field));
    }

    /**
     * A list's elements, read as a lenient client reads them: an object's values count too
     * ({@code choices[0]} works on an object in JavaScript). Anything else is no list.
     */
    private static List<JsonNode> elements(JsonNode list) {
        List<JsonNode> elements = new ArrayList<>();
        if (list.isContainerNode()) {
            list.forEach(elements::add);
        }
        return elements;
    }

    private static void append(Map<String, StringBuilder> names, String key, JsonNode fragment) {
        StringBuilder name = names.computeIfAbsent(key, k -> new StringBuilder());
        if (!fragment.isMissingNode() && !fragment.isNull()) {
            name.append(fragment.isTextual() ? fragment.textValue() : fragment.toString());
        }
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode() && !(node.isArray() && node.isEmpty());
    }
}
