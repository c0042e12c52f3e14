package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.HeldArguments;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.util.ArrayList;
import java.util.List;

/**
 * One call item of a Responses stream ({@code function_call}, {@code custom_tool_call} or a
 * built-in tool's item the client executes), held from its {@code output_item.added} to its
 * {@code output_item.done}; a built-in tool's item has no argument deltas and is decided on the
 * action its done item states. Its events (a shell call's streamed commands too) are kept as
 * received so a released call goes out byte for byte. Memory is bounded: past
 * {@code maxHeldBytes} the argument deltas are merged into one (a call with many tiny deltas),
 * and arguments over {@code maxArgumentBytes} are dropped unread ({@link HeldArguments}) and the
 * call is marked oversized.
 */
final class ResponsesHeldCall {
    private final int outputIndex;
    private final String itemId;
    private final boolean custom;
    private final long maxHeldBytes;
    private String callId;
    private String name;
    /** Upstream events in order; a null entry stands for the merged deltas. */
    private List<HeldEvent> events = new ArrayList<>();
    /** The deltas joined, or the arguments as the item's last event states them. */
    private final HeldArguments arguments;
    private long heldBytes;
    private boolean merged;
    private boolean done;

    private record HeldEvent(String type, SseEvent raw, long sequence) {
    }

    ResponsesHeldCall(JsonNode item, int outputIndex, long maxArgumentBytes, long maxHeldBytes) {
        this.outputIndex = outputIndex;
        this.itemId = item.path("id").asText("");
        this.custom = ResponsesResult.isCustom(item);
        this.arguments = new HeldArguments(maxArgumentBytes);
        this.maxHeldBytes = maxHeldBytes;
        takeItem(item);
    }

    int outputIndex() {
        return outputIndex;
    }

    String itemId() {
        return itemId;
    }

    boolean custom() {
        return custom;
    }

    boolean done() {
        return done;
    }

    boolean oversized() {
        return arguments.dropped();
    }

    void add(String type, ObjectNode json, SseEvent event, long sequence) {
        if (type.equals("response.output_item.done")) {
            done = true;
            takeItem(json.path("item"));
        } else if (type.equals("response.function_call_arguments.done")) {
            takeArguments(json.path("arguments"));
        } else if (type.equals("response.custom_tool_call_input.done")) {
            takeArguments(json.path("input"));
        } else if (isDelta(type)) {
            addDelta(json.path("delta").asText(""));
            if (merged || arguments.dropped()) {
                return;
            }
        }
        if (arguments.dropped()) {
            return;
        }
        events.add(new HeldEvent(type, event, sequence));
        heldBytes += event.raw().length;
        if (heldBytes > maxHeldBytes) {
            mergeDeltas();
        }
    }

    /** The stream ended or moved on before this item was done: it is decided as it stands. */
    void forceDone() {
        done = true;
    }

    /** The call as decided: an oversized call's arguments were never kept. */
    ToolCall call() {
        return new ToolCall(callId, name, arguments.text());
    }

    /** The held events for a released call, as received (merged deltas as one delta). */
    List<ResponsesSequence.Outgoing> released() {
        List<ResponsesSequence.Outgoing> out = new ArrayList<>(events.size());
        for (HeldEvent event : events) {
            out.add(event == null ? ResponsesSequence.Outgoing.generated(mergedDelta())
                    : ResponsesSequence.Outgoing.upstream(event.raw(), event.sequence()));
        }
        return out;
    }

    private static boolean isDelta(String type) {
        return type.equals("response.function_call_arguments.delta") || type.equals("response.custom_tool_call_input.delta");
    }

    private void takeItem(JsonNode item) {
        if (item.path("call_id").isTextual()) {
            callId = item.path("call_id").textValue();
        }
        if (item.path("name").isTextual() || name == null) {
            String stated = ResponsesResult.toolName(item);
            if (name != null && !name.isEmpty() && !stated.equals(name)) {
                // SDKs keep the added item's name, agents may read the done item's: one call, two tools.
                throw new UnreadableAnswerException("the upstream renamed tool call '" + name + "' to '" + stated
                        + "' while it was streaming");
            }
            name = stated;
        }
        JsonNode statedArguments = ResponsesResult.argumentsNode(item);
        // The added item carries "" before any delta; only a done item states the arguments.
        if (!statedArguments.isMissingNode() && (done || !ResponsesResult.argumentsOf(statedArguments).isEmpty())) {
            takeArguments(statedArguments);
        }
    }

    private void takeArguments(JsonNode stated) {
        arguments.replace(ResponsesResult.argumentsOf(stated));
        if (arguments.dropped()) {
            events = List.of();
        }
    }

    private void addDelta(String delta) {
        arguments.append(delta);
        if (arguments.dropped()) {
            events = List.of();
        }
    }

    /** Keeps every other event as received and the deltas' text once; beyond that the call is too big to hold. */
    private void mergeDeltas() {
        List<HeldEvent> kept = new ArrayList<>();
        heldBytes = 0;
        boolean placed = false;
        for (HeldEvent event : events) {
            if (event == null || isDelta(event.type())) {
                if (!placed) {
                    kept.add(null);
                    placed = true;
                }
                continue;
            }
            kept.add(event);
            heldBytes += event.raw().raw().length;
        }
        events = kept;
        merged = true;
        if (heldBytes > maxHeldBytes) {
            arguments.drop();
            events = List.of();
        }
    }

    private ObjectNode mergedDelta() {
        ObjectNode delta = Json.object();
        delta.put("type", custom ? "response.custom_tool_call_input.delta" : "response.function_call_arguments.delta");
        delta.put("item_id", itemId);
        delta.put("output_index", outputIndex);
        delta.put("delta", arguments.text());
        return delta;
    }
}
