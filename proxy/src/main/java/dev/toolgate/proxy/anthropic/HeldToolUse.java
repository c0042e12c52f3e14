package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.HeldArguments;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.HeldEvents;
import dev.toolgate.proxy.stream.SseEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * One streamed {@code tool_use} block, held from its {@code content_block_start} to its
 * {@code content_block_stop} so that none of it reaches the client before it is decided. Memory
 * is bounded: past {@code maxInputBytes} of input the block is only counted, never stored.
 */
final class HeldToolUse {
    private static final long MIN_RAW_BYTES = 64 * 1024;

    private final int index;
    private final JsonNode id;
    private final JsonNode name;
    /** The input {@code content_block_start} carried: {} from Anthropic, whose input comes in deltas. */
    private final String startInput;
    private final long maxInputBytes;
    private final SseEvent start;
    /** Framing can be many times the input (one event per few characters): raw events are kept only this far. */
    private final HeldEvents rawDeltas;
    private final HeldArguments input;
    private SseEvent stop;

    HeldToolUse(int index, JsonNode contentBlock, SseEvent start, long maxInputBytes) {
        this.index = index;
        this.id = contentBlock.path("id");
        this.name = contentBlock.path("name");
        this.startInput = AnthropicMessage.inputText(contentBlock.path("input"));
        this.start = start;
        this.maxInputBytes = maxInputBytes;
        this.input = new HeldArguments(maxInputBytes);
        this.rawDeltas = new HeldEvents(Math.max(MIN_RAW_BYTES, maxInputBytes > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * maxInputBytes));
    }

    int index() {
        return index;
    }

    /** A {@code content_block_delta} of this block. */
    void delta(SseEvent event, JsonNode data) {
        if (input.dropped()) {
            return;
        }
        JsonNode partial = data.path("delta").path("partial_json");
        if (partial.isTextual()) {
            input.append(partial.textValue());
            if (input.dropped()) {
                // Nothing of it can be released any more: drop what is held.
                rawDeltas.drop();
                return;
            }
        }
        rawDeltas.add(event);
    }

    void stop(SseEvent event) {
        stop = event;
    }

    boolean oversized() {
        return input.dropped() || input.text().isEmpty() && HeldArguments.longerThan(startInput, maxInputBytes);
    }

    /**
     * The call to decide. The input is the concatenated fragments ("" meaning {}); a block that
     * brought its whole input in {@code content_block_start} instead is decided on that.
     */
    ToolCall call() {
        if (oversized()) {
            return AnthropicMessage.toolCall(id, name, "");
        }
        return AnthropicMessage.toolCall(id, name, input.text().isEmpty() ? startInput : input.text());
    }

    /**
     * The block as the upstream sent it, byte for byte; when its framing outgrew the budget, the
     * same block with its input in one delta.
     */
    List<SseEvent> released() {
        List<SseEvent> events = new ArrayList<>();
        events.add(start);
        if (rawDeltas.kept()) {
            events.addAll(rawDeltas.events());
        } else {
            ObjectNode delta = Json.object();
            delta.put("type", "content_block_delta");
            delta.put("index", index);
            ObjectNode inputDelta = delta.putObject("delta");
            inputDelta.put("type", "input_json_delta");
            inputDelta.put("partial_json", input.text());
            events.add(SseEvent.of("content_block_delta", Json.text(delta)));
        }
        if (stop != null) {
            events.add(stop);
        }
        return events;
    }
}
