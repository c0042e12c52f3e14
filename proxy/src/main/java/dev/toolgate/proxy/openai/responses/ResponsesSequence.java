package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Hands a Responses stream's output to the sink with increasing {@code sequence_number}s. An
 * upstream event keeps its own number, and so its exact bytes, while that number is above the last
 * one sent (gaps are allowed: the SDKs only read the numbers); an event that would break the order
 * (after a replacement longer than the call it replaced, or one that overtook a held call) takes
 * the next number instead, as does every event the gateway writes. How many events a decision
 * emits is known only once it completes, so numbers behind a pending decision are given then.
 */
final class ResponsesSequence {
    /** Nothing has been numbered yet. */
    private long last = -1;
    /** The last number once pending decisions complete; null when {@link #last} is current. */
    private CompletableFuture<Long> pendingLast;

    /**
     * An event to send: an upstream event ({@code raw}, with its parsed {@code json} when already
     * at hand) or one the gateway builds ({@code json} only).
     *
     * @param sequence the upstream's number, or -1 for none
     */
    record Outgoing(String name, SseEvent raw, ObjectNode json, long sequence) {

        static Outgoing upstream(SseEvent raw, long sequence) {
            return new Outgoing(raw.event(), raw, null, sequence);
        }

        /** A rewritten upstream event that keeps the upstream's number when it can. */
        static Outgoing rewritten(String name, ObjectNode json, long sequence) {
            return new Outgoing(name, null, json, sequence);
        }

        static Outgoing generated(ObjectNode json) {
            return new Outgoing(json.path("type").asText(), null, json, -1);
        }
    }

    private record Numbered(List<SseEvent> events, long last) {
    }

    void emit(StreamSink sink, Outgoing event) {
        settle();
        if (pendingLast == null) {
            Numbered numbered = number(List.of(event), last);
            last = numbered.last();
            numbered.events().forEach(sink::emit);
        } else {
            emitLater(sink, CompletableFuture.completedFuture(List.of(event)));
        }
    }

    void emitLater(StreamSink sink, CompletableFuture<List<Outgoing>> later) {
        settle();
        CompletableFuture<Long> before = pendingLast != null ? pendingLast : CompletableFuture.completedFuture(last);
        // Runs on whichever thread completes the decision: number() reads nothing but its arguments.
        CompletableFuture<Numbered> numbered = later.thenCombine(before, ResponsesSequence::number);
        sink.emitLater(numbered.thenApply(Numbered::events));
        pendingLast = numbered.thenApply(Numbered::last);
    }

    /** Folds completed decisions back into {@link #last}; a failed one stays, the stream is over anyway. */
    private void settle() {
        if (pendingLast != null && pendingLast.isDone() && !pendingLast.isCompletedExceptionally()) {
            last = pendingLast.join();
            pendingLast = null;
        }
    }

    private static Numbered number(List<Outgoing> events, long last) {
        List<SseEvent> numbered = new ArrayList<>(events.size());
        long current = last;
        for (Outgoing event : events) {
            if (event.raw() != null && event.sequence() < 0) {
                // No number to keep in order (a comment, or an event without one): sent as received.
                numbered.add(event.raw());
                continue;
            }
            long number = event.sequence() > current ? event.sequence() : current + 1;
            current = number;
            if (event.raw() != null && number == event.sequence()) {
                numbered.add(event.raw());
                continue;
            }
            ObjectNode json = event.json() != null ? event.json() : parse(event.raw());
            json.put("sequence_number", number);
            numbered.add(SseEvent.of(event.name(), Json.text(json)));
        }
        return new Numbered(numbered, current);
    }

    private static ObjectNode parse(SseEvent raw) {
        try {
            JsonNode json = Json.MAPPER.readTree(raw.data());
            return (ObjectNode) json;
        } catch (IOException e) {
            // Only events that parsed as objects carry a sequence number, so this cannot happen.
            throw new UncheckedIOException(e);
        }
    }
}
