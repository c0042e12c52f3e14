package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import java.util.List;

/** The events of a whole text block, as the gateway writes one in place of a tool_use block. */
final class TextBlockEvents {
    private TextBlockEvents() {
    }

    static List<SseEvent> replacing(int index, String text) {
        ObjectNode start = event("content_block_start", index);
        start.set("content_block", AnthropicRewriter.textBlock(""));
        ObjectNode delta = event("content_block_delta", index);
        ObjectNode textDelta = delta.putObject("delta");
        textDelta.put("type", "text_delta");
        textDelta.put("text", text);
        return List.of(sse(start), sse(delta), sse(event("content_block_stop", index)));
    }

    private static ObjectNode event(String type, int index) {
        ObjectNode event = Json.object();
        event.put("type", type);
        event.put("index", index);
        return event;
    }

    private static SseEvent sse(ObjectNode event) {
        return SseEvent.of(event.path("type").asText(), Json.text(event));
    }
}
