package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.HeldArguments;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.openai.responses.ResponsesReplacement.Before;
import dev.toolgate.proxy.openai.responses.ResponsesSequence.Outgoing;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import dev.toolgate.proxy.stream.StreamSink;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Rewrites a Responses API event stream ({@code POST /v1/responses} with {@code stream: true}).
 * Every event of a call item, from its {@code output_item.added} to its {@code output_item.done},
 * is held; the finished call is decided, then either its events go out as received or a message
 * item with the replacement sentence goes out in its place, at the same {@code output_index}.
 * Other events pass at once, except that an event of an item added after a held call waits behind
 * it, because the SDKs address items by their arrival order. The last event
 * ({@code response.completed}, {@code .incomplete} or {@code .failed}) is rewritten like a
 * non-streaming response and carries the metadata block. A withheld call's arguments are never sent.
 */
public final class ResponsesStreamRewriter implements StreamRewriter {
    private static final Set<String> LAST_EVENTS = Set.of("response.completed", "response.incomplete", "response.failed");
    /** Events that carry an item or a response snapshot, where a client finds calls. */
    private static final Set<String> SHAPES_CALLS = Set.of("response.output_item.added", "response.output_item.done",
            "response.created", "response.in_progress", "response.queued", "response.completed", "response.incomplete",
            "response.failed");
    /** Room for the framing of a call's events beyond its arguments before deltas are merged. */
    private static final long HELD_FRAMING_BYTES = 64 * 1024;

    private final StreamCallDecider decider;
    private final long maxArgumentBytes;
    private final long maxHeldBytes;
    private final String metadataField;
    private final URI publicUrl;
    private final ResponsesSequence sequence = new ResponsesSequence();
    /** Output behind the first call still being held: that call's slot, then later slots and events in order. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private final Map<Integer, Slot> open = new LinkedHashMap<>();
    /** Items already decided (by output_index and by item id): a late event about one is dropped, never sent. */
    private final Set<Integer> closed = new HashSet<>();
    private final Set<String> closedItemIds = new HashSet<>();
    private final List<StreamDecision> decisions = new ArrayList<>();
    /**
     * By output_index, each message item and each decided call: what it means for the text of a
     * replacement after it (null: nothing, an allowed call; look further back).
     */
    private final TreeMap<Integer, CompletableFuture<Before>> textItems = new TreeMap<>();
    private boolean failed;

    /** A held call and, once it is done, what it turns into. */
    private static final class Slot {
        final ResponsesHeldCall call;
        CompletableFuture<List<Outgoing>> output;

        Slot(ResponsesHeldCall call) {
            this.call = call;
        }
    }

    private record StreamDecision(ToolCall call, boolean oversized, CompletableFuture<GatedCall> gated) {
    }

    /** @param maxArgumentBytes larger arguments are dropped as they stream, and the call decided as too large */
    public ResponsesStreamRewriter(StreamCallDecider decider, long maxArgumentBytes, String metadataField, URI publicUrl) {
        this.decider = Objects.requireNonNull(decider, "decider");
        this.maxArgumentBytes = maxArgumentBytes;
        this.maxHeldBytes = maxArgumentBytes > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 2 * maxArgumentBytes + HELD_FRAMING_BYTES;
        this.metadataField = metadataField;
        this.publicUrl = publicUrl;
    }

    @Override
    public void onEvent(SseEvent event, StreamSink sink) {
        if (failed) {
            return;
        }
        ObjectNode json = parse(event);
        if (json == null) {
            // A comment, keep-alive or non-JSON data: no call can be read from it.
            pass(Outgoing.upstream(event, -1), -1, sink);
            return;
        }
        String type = json.path("type").asText(event.event() == null ? "" : event.event());
        long number = json.path("sequence_number").canConvertToLong() ? json.path("sequence_number").asLong() : -1;
        int index = json.path("output_index").isIntegralNumber() ? json.path("output_index").asInt() : -1;
        refuseMismatchedName(event, type);
        if (LAST_EVENTS.contains(type)) {
            finish(event, json, number, sink);
            return;
        }
        refuseCallsInSnapshot(type, json);
        JsonNode item = json.path("item");
        if (type.equals("response.output_item.added") && index >= 0 && item.path("type").asText("").equals("message")) {
            textItems.put(index, CompletableFuture.completedFuture(Before.MODEL_TEXT));
        }
        if (ResponsesResult.isCall(item)) {
            // An event that carries a call item goes with its call, or starts one (usually its
            // output_item.added; a call the stream never announced, its done event alone, is held
            // and decided all the same), or is about a call already decided and is dropped: a call
            // item never passes undecided.
            Slot slot = type.equals("response.output_item.added") ? null
                    : index >= 0 ? open.get(index) : openByItemId(item.path("id").asText(""));
            if (slot == null && (type.equals("response.output_item.added") || unseen(index, item))) {
                slot = new Slot(new ResponsesHeldCall(item, index, maxArgumentBytes, maxHeldBytes));
                open.put(index, slot);
                waiting.add(slot);
            }
            if (slot != null) {
                slot.call.add(type, json, event, number);
                if (slot.call.done()) {
                    close(slot);
                    flush(sink);
                }
            }
            return;
        }
        Slot slot = index >= 0 ? open.get(index) : openByItemId(json.path("item_id").asText(null));
        if (slot != null) {
            slot.call.add(type, json, event, number);
            if (slot.call.done()) {
                close(slot);
                flush(sink);
            }
        } else if (!closed.contains(index) && !closedItemIds.contains(json.path("item_id").asText(""))) {
            pass(Outgoing.upstream(event, number), index, sink);
        }
    }

    @Override
    public void onEnd(StreamSink sink) {
        if (!failed) {
            closeOpen();
            flush(sink);
        }
    }

    /** The last event: every call is decided first, then it goes out rewritten with the metadata block. */
    private void finish(SseEvent event, ObjectNode json, long number, StreamSink sink) {
        closeOpen();
        flush(sink);
        if (!(json.path("response") instanceof ObjectNode response)) {
            sequence.emit(sink, Outgoing.upstream(event, number));
            return;
        }
        ResponsesResult result = ResponsesResult.of(response);
        if (result.calls().isEmpty() && decisions.isEmpty()) {
            sequence.emit(sink, Outgoing.upstream(event, number));
            return;
        }
        List<StreamDecision> unmatched = new ArrayList<>(decisions);
        List<CompletableFuture<GatedCall>> inOutput = new ArrayList<>();
        for (ResponsesResult.ProposedCall proposed : result.calls()) {
            // A call that differs from what was streamed (or was never streamed) is decided on its own.
            StreamDecision streamed = takeMatch(unmatched, proposed.call());
            inOutput.add(streamed != null ? streamed.gated()
                    : decide(proposed.call(), proposed.custom(), false));
        }
        List<CompletableFuture<GatedCall>> all = Stream.concat(inOutput.stream(), unmatched.stream().map(StreamDecision::gated)).toList();
        CompletableFuture<List<Outgoing>> rewritten = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ResponsesRewriter.replaceWithheld(response, result.calls(), inOutput.stream().map(CompletableFuture::join).toList());
            response.set(metadataField, new DecisionSummary(all.stream().map(CompletableFuture::join).toList(), publicUrl).metadata());
            return List.of(Outgoing.rewritten(event.event(), json, number));
        });
        sequence.emitLater(sink, rewritten);
    }

    /** The streamed decision for the same call; an oversized one matches only a call that is oversized too. */
    private StreamDecision takeMatch(List<StreamDecision> candidates, ToolCall call) {
        boolean oversized = HeldArguments.longerThan(call.arguments(), maxArgumentBytes);
        for (int i = 0; i < candidates.size(); i++) {
            StreamDecision candidate = candidates.get(i);
            boolean same = candidate.oversized()
                    ? oversized && Objects.equals(candidate.call().id(), call.id()) && candidate.call().name().equals(call.name())
                    : candidate.call().equals(call);
            if (same) {
                return candidates.remove(i);
            }
        }
        return null;
    }

    private void close(Slot slot) {
        open.remove(slot.call.outputIndex());
        if (slot.call.outputIndex() >= 0) {
            closed.add(slot.call.outputIndex());
        }
        if (!slot.call.itemId().isEmpty()) {
            closedItemIds.add(slot.call.itemId());
        }
        ToolCall call = slot.call.call();
        CompletableFuture<GatedCall> gated = decide(call, slot.call.custom(), slot.call.oversized());
        decisions.add(new StreamDecision(call, slot.call.oversized(), gated));
        int index = slot.call.outputIndex();
        CompletableFuture<Before> before = textBefore(index);
        slot.output = gated.thenCombine(before, (decided, text) -> decided.decision().releases() ? slot.call.released()
                : ResponsesReplacement.streamEvents(index, decided, text).stream().map(Outgoing::generated).toList());
        if (index >= 0) {
            textItems.put(index, gated.thenCombine(before, (decided, text) -> decided.decision().releases() ? null : Before.REPLACEMENT));
        }
    }

    /** The nearest message before {@code index}, as {@link ResponsesRewriter} reads it in the final output. */
    private CompletableFuture<Before> textBefore(int index) {
        Map.Entry<Integer, CompletableFuture<Before>> nearest = index < 0 ? null : textItems.lowerEntry(index);
        if (nearest == null) {
            return CompletableFuture.completedFuture(Before.NO_TEXT);
        }
        int at = nearest.getKey();
        return nearest.getValue().thenCompose(text -> text != null ? CompletableFuture.completedFuture(text) : textBefore(at));
    }

    /** Calls still open when the stream ends or finishes are decided as they stand. */
    private void closeOpen() {
        for (Slot slot : List.copyOf(open.values())) {
            slot.call.forceDone();
            close(slot);
        }
    }

    /** Sends everything up to the first call still being held; decided calls go out once their decision completes. */
    private void flush(StreamSink sink) {
        while (!waiting.isEmpty()) {
            Object head = waiting.peek();
            if (head instanceof Slot slot) {
                if (slot.output == null) {
                    return;
                }
                waiting.poll();
                sequence.emitLater(sink, slot.output);
            } else {
                Outgoing event = (Outgoing) waiting.poll();
                waitingBytes -= event.raw().raw().length;
                sequence.emit(sink, event);
            }
        }
    }

    /**
     * At once, unless a held call was added before this event's item: then it waits its turn
     * (an item added earlier, or no waiting at all, needs no wait).
     */
    private void pass(Outgoing event, int index, StreamSink sink) {
        if (waiting.isEmpty() || (index >= 0 && index < ((Slot) waiting.peek()).call.outputIndex())) {
            sequence.emit(sink, event);
            return;
        }
        waiting.add(event);
        waitingBytes += event.raw().raw().length;
        if (waitingBytes > maxHeldBytes) {
            // Bounded memory: a stream that piles output behind a held call ends, releasing nothing held.
            failed = true;
            sink.emitLater(CompletableFuture.failedFuture(new IllegalStateException(
                    "more than " + maxHeldBytes + " bytes of a Responses stream queued behind an undecided tool call")));
        }
    }

    /** {@code oversized}: the call's arguments were dropped while it streamed; the gate blocks it as too large. */
    private CompletableFuture<GatedCall> decide(ToolCall call, boolean custom, boolean oversized) {
        try {
            return Objects.requireNonNull(decider.decide(call, oversized ? null : ResponsesResult.assistantMessage(call, custom),
                    oversized), "decision");
        } catch (RuntimeException failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    /** True for a call item that no held call has and that was not decided before. */
    private boolean unseen(int index, JsonNode item) {
        String itemId = item.path("id").asText("");
        Slot slot = index >= 0 ? open.get(index) : openByItemId(itemId);
        return slot == null && !closed.contains(index) && !closedItemIds.contains(itemId);
    }

    /**
     * Clients dispatch on the {@code event:} name or on the data's {@code type}: when the two
     * disagree about an item or a response snapshot, a call could pass as something else, so the
     * stream is refused.
     */
    private static void refuseMismatchedName(SseEvent event, String type) {
        String name = event.event();
        if (name != null && !name.equals(type) && (SHAPES_CALLS.contains(name) || SHAPES_CALLS.contains(type))) {
            throw new UnreadableAnswerException("the upstream sent an event named '" + name + "' whose data is a '" + type + "'");
        }
    }

    /**
     * Snapshots before the last event ({@code response.created}, {@code .in_progress}) list no
     * output; SDKs start their accumulated response from them, so one that lists a call would
     * hand the client a call nobody decided: the stream is refused instead.
     */
    private static void refuseCallsInSnapshot(String type, ObjectNode json) {
        if (json.get("response") instanceof ObjectNode response && !ResponsesResult.of(response).calls().isEmpty()) {
            throw new UnreadableAnswerException("the upstream listed tool calls in '" + type + "' before the response was complete");
        }
    }

    private Slot openByItemId(String itemId) {
        if (itemId == null) {
            return null;
        }
        return open.values().stream().filter(slot -> slot.call.itemId().equals(itemId)).findFirst().orElse(null);
    }

    private static ObjectNode parse(SseEvent event) {
        if (event.data() == null || event.isDone()) {
            return null;
        }
        try {
            JsonNode json = Json.MAPPER.readTree(event.data());
            return json instanceof ObjectNode object ? object : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
