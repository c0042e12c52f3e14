package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Chat Completions stream read the way a client accumulates it: each choice's text, its tool
 * calls joined by index, its finish reason, plus the usage and metadata chunks and where
 * {@code [DONE]} came.
 */
public final class ChatStreamTranscript {
    /** A tool call as the client assembles it from its deltas. */
    public record Call(String id, String type, String name, String arguments) {
    }

    private final List<SseEvent> events;
    private final List<JsonNode> chunks = new ArrayList<>();
    private final Map<Integer, StringBuilder> content = new TreeMap<>();
    private final Map<Integer, Map<Integer, String[]>> calls = new TreeMap<>();
    private final Map<Integer, String> finishReasons = new TreeMap<>();
    private final Map<Integer, Integer> callChunks = new TreeMap<>();

    private ChatStreamTranscript(List<SseEvent> events) {
        this.events = events;
        for (SseEvent event : events) {
            JsonNode chunk = event.data() == null || event.isDone() ? null : parse(event.data());
            if (chunk != null) {
                read(chunk);
            }
        }
    }

    public static ChatStreamTranscript of(byte[] stream) {
        SseDecoder decoder = new SseDecoder(1 << 24);
        ByteBuf buffer = Unpooled.wrappedBuffer(stream);
        try {
            List<SseEvent> events = new ArrayList<>(decoder.decode(buffer));
            events.addAll(decoder.finish());
            return new ChatStreamTranscript(events);
        } catch (SseDecoder.EventTooLarge e) {
            throw new IllegalStateException(e);
        } finally {
            buffer.release();
        }
    }

    private void read(JsonNode chunk) {
        chunks.add(chunk);
        for (JsonNode choice : chunk.path("choices")) {
            int index = choice.path("index").asInt();
            JsonNode delta = choice.path("delta");
            if (delta.path("content").isTextual()) {
                content.computeIfAbsent(index, i -> new StringBuilder()).append(delta.path("content").textValue());
            }
            for (JsonNode toolCall : delta.path("tool_calls")) {
                String[] call = calls.computeIfAbsent(index, i -> new TreeMap<>())
                        .computeIfAbsent(toolCall.path("index").asInt(), i -> new String[] {null, null, "", ""});
                call[0] = call[0] == null ? toolCall.path("id").textValue() : call[0];
                call[1] = call[1] == null ? toolCall.path("type").textValue() : call[1];
                call[2] += toolCall.path("function").path("name").asText("");
                call[3] += toolCall.path("function").path("arguments").asText("");
                callChunks.merge(index, 1, Integer::sum);
            }
            if (choice.path("finish_reason").isTextual()) {
                finishReasons.put(index, choice.path("finish_reason").textValue());
            }
        }
    }

    List<SseEvent> events() {
        return events;
    }

    String content(int choice) {
        StringBuilder text = content.get(choice);
        return text == null ? null : text.toString();
    }

    public List<Call> calls(int choice) {
        List<Call> assembled = new ArrayList<>();
        calls.getOrDefault(choice, Map.of()).values().forEach(c -> assembled.add(new Call(c[0], c[1], c[2], c[3])));
        return assembled;
    }

    /** How many tool-call deltas the choice's calls arrived in. */
    int callDeltas(int choice) {
        return callChunks.getOrDefault(choice, 0);
    }

    String finishReason(int choice) {
        return finishReasons.get(choice);
    }

    /** Chunks (data events other than {@code [DONE]}) in order. */
    List<JsonNode> chunks() {
        return chunks;
    }

    /** The metadata block, or null when no chunk carried one. */
    JsonNode metadata() {
        return chunks.stream().filter(c -> c.has("_toolgate")).map(c -> c.get("_toolgate")).findFirst().orElse(null);
    }

    boolean endsWithDone() {
        return !events.isEmpty() && events.get(events.size() - 1).isDone();
    }

    /** Data of each event in order, {@code [DONE]} included: for checking what came where. */
    List<String> data() {
        List<String> data = new ArrayList<>();
        events.forEach(e -> data.add(e.data()));
        return data;
    }

    /** Data that is not JSON is skipped, as clients skip it. */
    private static JsonNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (IOException notJson) {
            return null;
        }
    }
}
