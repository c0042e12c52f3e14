package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import java.nio.charset.StandardCharsets;

/** Anthropic Messages stream events in the documented wire shape, for streams the fixture does not cover. */
final class MessageStreams {
    private MessageStreams() {
    }

    static String messageStart() {
        ObjectNode message = Json.object();
        message.put("id", "msg_02Test").put("type", "message").put("role", "assistant").put("model", "claude-sonnet-4-5-20250929");
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", 20).put("output_tokens", 1);
        ObjectNode event = Json.object().put("type", "message_start");
        event.set("message", message);
        return sse(event);
    }

    static String ping() {
        return sse(Json.object().put("type", "ping"));
    }

    static String textBlock(int index, String... parts) {
        StringBuilder events = new StringBuilder(start(index, Json.object().put("type", "text").put("text", "")));
        for (String part : parts) {
            events.append(delta(index, Json.object().put("type", "text_delta").put("text", part)));
        }
        return events.append(stop(index)).toString();
    }

    static String toolUse(int index, String id, String name, String... fragments) {
        ObjectNode block = Json.object().put("type", "tool_use").put("id", id).put("name", name);
        block.putObject("input");
        StringBuilder events = new StringBuilder(start(index, block));
        for (String fragment : fragments) {
            events.append(delta(index, Json.object().put("type", "input_json_delta").put("partial_json", fragment)));
        }
        return events.append(stop(index)).toString();
    }

    static String messageDelta(String stopReason) {
        ObjectNode event = Json.object().put("type", "message_delta");
        event.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        event.putObject("usage").put("output_tokens", 40);
        return sse(event);
    }

    static String messageStop() {
        return sse(Json.object().put("type", "message_stop"));
    }

    static byte[] bytes(String... parts) {
        return String.join("", parts).getBytes(StandardCharsets.UTF_8);
    }

    private static String start(int index, ObjectNode block) {
        ObjectNode event = Json.object().put("type", "content_block_start").put("index", index);
        event.set("content_block", block);
        return sse(event);
    }

    private static String delta(int index, ObjectNode delta) {
        ObjectNode event = Json.object().put("type", "content_block_delta").put("index", index);
        event.set("delta", delta);
        return sse(event);
    }

    private static String stop(int index) {
        return sse(Json.object().put("type", "content_block_stop").put("index", index));
    }

    private static String sse(ObjectNode event) {
        return new String(SseEvent.of(event.path("type").asText(), Json.text(event)).raw(), StandardCharsets.UTF_8);
    }
}
