package dev.toolgate.proxy.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A sink that always keeps back the most recent output, so that something can still be added to
 * the stream's final event once the stream ends. SDKs treat the last chunk as final and reject any
 * chunk after it, so the decision metadata must ride on that chunk rather than follow it.
 */
public final class LastEventHolder implements StreamSink {
    private final StreamSink sink;
    private CompletableFuture<List<SseEvent>> held;

    public LastEventHolder(StreamSink sink) {
        this.sink = sink;
    }

    @Override
    public void emit(SseEvent event) {
        emitLater(CompletableFuture.completedFuture(List.of(event)));
    }

    @Override
    public void emitLater(CompletableFuture<List<SseEvent>> later) {
        if (held != null) {
            sink.emitLater(held);
        }
        held = later;
    }

    /** Releases what is held as it is: nothing is to be added to it (yet). */
    public void release() {
        if (held != null) {
            sink.emitLater(held);
            held = null;
        }
    }

    /**
     * Releases what is held with {@code field} set to {@code value} on its last JSON object event;
     * when nothing suitable is held, {@code fallback} supplies an event of its own to carry it.
     */
    public void finish(String field, CompletableFuture<ObjectNode> value, Function<ObjectNode, SseEvent> fallback) {
        CompletableFuture<List<SseEvent>> last = held != null ? held : CompletableFuture.completedFuture(List.of());
        held = null;
        sink.emitLater(last.thenCombine(value, (events, block) -> withField(events, field, block, fallback)));
    }

    private static List<SseEvent> withField(List<SseEvent> events, String field, ObjectNode block,
                                            Function<ObjectNode, SseEvent> fallback) {
        List<SseEvent> out = new ArrayList<>(events);
        for (int i = out.size() - 1; i >= 0; i--) {
            SseEvent event = out.get(i);
            ObjectNode json = object(event);
            if (json != null) {
                json.set(field, block);
                out.set(i, SseEvent.of(event.event(), Json.text(json)));
                return out;
            }
        }
        out.add(fallback.apply(block));
        return out;
    }

    private static ObjectNode object(SseEvent event) {
        if (event.data() == null || event.isDone()) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(event.data());
            return node instanceof ObjectNode object ? object : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
