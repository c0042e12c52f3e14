package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.LastEventHolder;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import dev.toolgate.proxy.stream.StreamSink;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Rewrites a streamed Chat Completions answer ({@code stream: true}). Chunks without tool calls
 * pass through as received; tool-call deltas are held per choice until the choice finishes (or
 * {@code [DONE]}, or the end of the stream), then each call is decided: an allowed call leaves
 * as the upstream's own events, any other is replaced by one content delta saying why, and the
 * choice's {@code finish_reason} becomes {@code stop} when no call is left. The metadata block
 * rides on the last chunk before {@code [DONE]}.
 *
 * <p>Calls are complete only when their choice finishes, not when the next tool index starts:
 * upstreams may interleave parallel calls' fragments, and a call decided early could still grow.
 */
public final class ChatStreamRewriter implements StreamRewriter {
    private final StreamCallDecider decider;
    private final String metadataField;
    private final URI publicUrl;
    private final long maxArgumentBytes;
    private final Map<Integer, ChoiceState> choices = new TreeMap<>();
    private final List<CompletableFuture<GatedCall>> decisions = new ArrayList<>();
    private final ChatChunkScan scan = new ChatChunkScan();
    /** The latest chunk parsed: the envelope for chunks the gateway adds at the end. */
    private ObjectNode lastChunk;
    /** A text chunk passed unparsed after {@link #lastChunk}: parsed only if an envelope is needed. */
    private String lastUnparsed;
    /** Calls held in all choices: while there are none, a chunk naming no call cannot concern one. */
    private int openCalls;
    /** Choices known to have written text, as bits: what a text chunk for them changes is known. */
    private long notedText;
    private boolean metadataSent;
    private LastEventHolder tail;

    /** What is held for one choice. */
    private static final class ChoiceState {
        final TreeMap<Integer, ChatStreamCall> open = new TreeMap<>();
        /** Call indexes already decided: SDKs would join more fragments to what was released. */
        final Set<Integer> decided = new HashSet<>();
        boolean wroteText;
    }

    /** One call's delta found in a chunk: a {@code tool_calls} element, or a legacy {@code function_call}. */
    private record Fragment(ChatStreamCall call, JsonNode delta, boolean legacy) {
    }

    /** A choice's finish held back until its calls are decided. */
    private record Finish(int choice, ObjectNode element) {
    }

    /**
     * @param maxArgumentBytes a call whose name and arguments exceed this is dropped as it streams
     *     and decided as too large, so memory per call stays near it
     */
    public ChatStreamRewriter(StreamCallDecider decider, String metadataField, URI publicUrl, long maxArgumentBytes) {
        if (maxArgumentBytes <= 0) {
            throw new IllegalArgumentException("maxArgumentBytes: " + maxArgumentBytes + " (expected: a positive number of bytes)");
        }
        this.decider = Objects.requireNonNull(decider, "decider");
        this.metadataField = Objects.requireNonNull(metadataField, "metadataField");
        this.publicUrl = Objects.requireNonNull(publicUrl, "publicUrl");
        this.maxArgumentBytes = maxArgumentBytes;
    }

    @Override
    public void onEvent(SseEvent event, StreamSink upstreamOrder) {
        if (passesUnparsed(event, tail != null ? tail : upstreamOrder)) {
            return;
        }
        if (tail == null && event.data() != null && !event.isDone() && mentionsCalls(event.data())) {
            // From the first call on, the last output is kept back: the metadata must ride on the final chunk.
            tail = new LastEventHolder(upstreamOrder);
        }
        StreamSink sink = tail != null ? tail : upstreamOrder;
        if (event.data() == null) {
            sink.emit(event);
            return;
        }
        if (event.isDone()) {
            completeAll(sink);
            emitMetadata();
            upstreamOrder.emit(event);
            return;
        }
        ObjectNode chunk = parse(event.data());
        if (chunk == null || !(chunk.get("choices") instanceof ArrayNode choiceArray)) {
            refuseIfCallsAreHidden(event.data(), chunk);
            sink.emit(event);
            return;
        }
        lastChunk = chunk;
        lastUnparsed = null;
        if (!concernsCalls(choiceArray)) {
            noteText(choiceArray);
            sink.emit(event);
            return;
        }
        rewrite(event, chunk, sink);
    }

    @Override
    public void onEnd(StreamSink upstreamOrder) {
        completeAll(tail != null ? tail : upstreamOrder);
        emitMetadata();
    }

    /**
     * The fast path for the bulk of a stream: while no call is held, a chunk that names no call
     * and that {@link ChatChunkScan} reads (a text delta, a role, a finish, usage) passes as it
     * came, with no JSON tree built. What parsing it would have noted is noted from the scan:
     * which choices wrote text, and the chunk itself as the envelope, parsed only if needed.
     */
    private boolean passesUnparsed(SseEvent event, StreamSink sink) {
        if (openCalls > 0 || event.data() == null) {
            return false;
        }
        long textChoices = scan.textChoices(event);
        if (textChoices == ChatChunkScan.UNKNOWN) {
            return false;
        }
        long newlyNoted = textChoices & ~notedText;
        if (newlyNoted != 0) {
            notedText |= newlyNoted;
            for (int index = 0; index < Long.SIZE; index++) {
                if ((newlyNoted & (1L << index)) != 0) {
                    choices.computeIfAbsent(index, i -> new ChoiceState()).wroteText = true;
                }
            }
        }
        lastUnparsed = event.data();
        sink.emit(event);
        return true;
    }

    /** The envelope for chunks the gateway writes: the latest chunk, parsed now if it passed unparsed. */
    private ObjectNode lastChunk() {
        if (lastUnparsed != null) {
            ObjectNode chunk = parse(lastUnparsed);
            lastUnparsed = null;
            if (chunk != null && chunk.get("choices") instanceof ArrayNode) {
                lastChunk = chunk;
            }
        }
        return lastChunk;
    }

    /**
     * An event that is not a readable chunk passes as it came, unless it looks like it carries a
     * call the gateway cannot see (not JSON, or {@code choices} that is not an array): a lenient
     * client might still run that call, so the stream is refused instead.
     */
    private static void refuseIfCallsAreHidden(String data, ObjectNode chunk) {
        boolean unreadable = chunk == null || chunk.has("choices") && !chunk.get("choices").isNull();
        if (unreadable && mentionsCalls(data)) {
            throw new UnreadableAnswerException(chunk == null
                    ? "the upstream sent an event about tool calls that is not valid JSON"
                    : "the upstream sent an event about tool calls whose 'choices' is not an array");
        }
    }

    /** A cheap pre-check before any parsing: could this chunk concern a call? */
    private static boolean mentionsCalls(String data) {
        return data.contains("\"tool_calls\"") || data.contains("\"function_call\"");
    }

    /** True when the chunk carries tool-call deltas, or finishes a choice whose calls are held. */
    private boolean concernsCalls(ArrayNode choiceArray) {
        for (int position = 0; position < choiceArray.size(); position++) {
            JsonNode choice = choiceArray.get(position);
            JsonNode delta = choice.path("delta");
            if (present(delta.get("tool_calls")) || present(delta.get("function_call"))) {
                return true;
            }
            ChoiceState state = choices.get(choice.path("index").asInt(position));
            if (present(choice.get("finish_reason")) && state != null && !state.open.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Splits a chunk that concerns calls: everything else in it (text, role, usage) leaves at
     * once, each call's delta is held with its call, and a finish waits for the choice's decisions.
     */
    private void rewrite(SseEvent event, ObjectNode chunk, StreamSink sink) {
        ObjectNode rest = chunk.deepCopy();
        ArrayNode restChoices = (ArrayNode) rest.get("choices");
        ArrayNode kept = Json.MAPPER.createArrayNode();
        List<Fragment> fragments = new ArrayList<>();
        List<Finish> finishes = new ArrayList<>();
        for (int position = 0; position < restChoices.size(); position++) {
            if (!(restChoices.get(position) instanceof ObjectNode choice)) {
                kept.add(restChoices.get(position));
                continue;
            }
            int index = choice.path("index").asInt(position);
            ChoiceState state = choices.computeIfAbsent(index, i -> new ChoiceState());
            if (choice.get("delta") instanceof ObjectNode delta) {
                takeFragments(delta, index, state, fragments);
                state.wroteText |= hasText(delta);
            }
            if (present(choice.get("finish_reason")) && !state.open.isEmpty()) {
                finishes.add(new Finish(index, finishElement(choice)));
                choice.putNull("finish_reason");
            }
            if (!carriesNothing(choice)) {
                kept.add(choice);
            }
        }
        restChoices.removeAll();
        restChoices.addAll(kept);
        boolean restEmpty = kept.isEmpty() && !present(rest.get("usage"));
        if (!restEmpty) {
            sink.emit(SseEvent.data(Json.text(rest)));
        }
        // A chunk about one call (or one finish) only is kept as the upstream's own bytes.
        boolean alone = restEmpty && fragments.size() + finishes.size() == 1;
        for (Fragment fragment : fragments) {
            fragment.call().add(fragment.delta(), () -> alone ? event : pieceOf(chunk, fragment), chunk);
        }
        for (Finish finish : finishes) {
            complete(finish.choice(), finish.element(), alone ? event : null, chunk, sink);
        }
    }

    private void takeFragments(ObjectNode delta, int index, ChoiceState state, List<Fragment> into) {
        JsonNode toolCalls = delta.remove("tool_calls");
        if (present(toolCalls)) {
            if (!toolCalls.isArray()) {
                // As for a whole answer: a lenient client might read calls out of it that the gateway would not see.
                throw new UnreadableAnswerException("the upstream sent choice " + index + "'s tool_calls as "
                        + toolCalls.getNodeType().name().toLowerCase(Locale.ROOT) + " instead of an array");
            }
            int position = 0;
            for (JsonNode toolCall : toolCalls) {
                int callIndex = toolCall.path("index").asInt(position++);
                into.add(new Fragment(callOf(state, index, callIndex), toolCall, false));
            }
        }
        JsonNode functionCall = delta.remove("function_call");
        if (present(functionCall)) {
            into.add(new Fragment(callOf(state, index, ChatStreamCall.LEGACY_FUNCTION_CALL), functionCall, true));
        }
    }

    private ChatStreamCall callOf(ChoiceState state, int choice, int callIndex) {
        if (state.decided.contains(callIndex)) {
            // A client accumulating by index would append this to the call already decided and sent
            // ("delete_" + "file"), so it is neither a new call nor safe to pass: refuse the stream.
            throw new UnreadableAnswerException("the upstream sent more of choice " + choice + "'s tool call "
                    + (callIndex == ChatStreamCall.LEGACY_FUNCTION_CALL ? "(function_call)" : callIndex) + " after it had finished");
        }
        ChatStreamCall call = state.open.get(callIndex);
        if (call == null) {
            call = new ChatStreamCall(choice, callIndex, maxArgumentBytes);
            state.open.put(callIndex, call);
            openCalls++;
        }
        return call;
    }

    /** A chunk carrying just this one call's delta, for an upstream chunk that carried more. */
    private static SseEvent pieceOf(ObjectNode chunk, Fragment fragment) {
        ObjectNode delta = Json.object();
        if (fragment.legacy()) {
            delta.set("function_call", fragment.delta());
        } else {
            delta.putArray("tool_calls").add(fragment.delta());
        }
        return ChatStreamChunks.withChoice(chunk, ChatStreamChunks.choice(fragment.call().choice(), delta, null));
    }

    /** Decides a choice's held calls and queues what they become, then the choice's finish. */
    private void complete(int index, ObjectNode finish, SseEvent rawFinish, ObjectNode template, StreamSink sink) {
        ChoiceState state = choices.get(index);
        List<ChatStreamCall> calls = List.copyOf(state.open.values());
        state.decided.addAll(state.open.keySet());
        openCalls -= state.open.size();
        state.open.clear();
        List<CompletableFuture<GatedCall>> decided = calls.stream().map(this::decide).toList();
        decisions.addAll(decided);
        ChatStreamRelease release = new ChatStreamRelease(index, calls.stream().map(ChatStreamCall::releaseEvents).toList(),
                state.wroteText, template, finish, rawFinish);
        sink.emitLater(allOf(decided).thenApply(release::events));
    }

    private CompletableFuture<GatedCall> decide(ChatStreamCall call) {
        try {
            CompletableFuture<GatedCall> decision = decider.decide(call.toolCall(),
                    call.oversized() ? null : call.assistantMessage(), call.oversized());
            return decision != null ? decision : CompletableFuture.failedFuture(new IllegalStateException("the decider returned no decision"));
        } catch (RuntimeException failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    private void completeAll(StreamSink sink) {
        for (Map.Entry<Integer, ChoiceState> choice : choices.entrySet()) {
            if (!choice.getValue().open.isEmpty()) {
                complete(choice.getKey(), null, null, lastChunk(), sink);
            }
        }
    }

    /**
     * Once per stream, and only when it had calls: the metadata block, after every decision, on
     * the last chunk before {@code [DONE]} (an extra chunk only if there is none to carry it).
     * When chunks named calls but none came ({@code "tool_calls": null}), what was kept back for
     * the block leaves as it came.
     */
    private void emitMetadata() {
        if (metadataSent || tail == null) {
            return;
        }
        if (decisions.isEmpty()) {
            tail.release();
            return;
        }
        metadataSent = true;
        ObjectNode envelope = lastChunk();
        tail.finish(metadataField, allOf(List.copyOf(decisions)).thenApply(gated -> new DecisionSummary(gated, publicUrl).metadata()),
                block -> ChatStreamChunks.metadata(envelope, metadataField, block));
    }

    /** Completes with every decision, in order, once all have completed; fails as soon as one fails. */
    private static CompletableFuture<List<GatedCall>> allOf(List<CompletableFuture<GatedCall>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }

    private void noteText(ArrayNode choiceArray) {
        for (int position = 0; position < choiceArray.size(); position++) {
            JsonNode choice = choiceArray.get(position);
            if (hasText(choice.path("delta"))) {
                choices.computeIfAbsent(choice.path("index").asInt(position), i -> new ChoiceState()).wroteText = true;
            }
        }
    }

    /** The finish as its own choice element: no delta or logprobs, which left with the rest of the chunk. */
    private static ObjectNode finishElement(ObjectNode choice) {
        ObjectNode element = choice.deepCopy();
        element.putObject("delta");
        if (element.has("logprobs")) {
            element.putNull("logprobs");
        }
        return element;
    }

    /** A choice left with nothing to say once its calls and finish were taken out. */
    private static boolean carriesNothing(ObjectNode choice) {
        for (Map.Entry<String, JsonNode> field : choice.properties()) {
            String name = field.getKey();
            if (name.equals("index")) {
                continue;
            }
            if (name.equals("delta")) {
                for (JsonNode value : field.getValue()) {
                    if (!value.isNull()) {
                        return false;
                    }
                }
            } else if (!field.getValue().isNull()) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasText(JsonNode delta) {
        JsonNode content = delta.path("content");
        return content.isTextual() && !content.textValue().isBlank();
    }

    /** Present and meaningful: not missing, not null, not an empty array. */
    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode() && !(node.isArray() && node.isEmpty());
    }

    private static ObjectNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data) instanceof ObjectNode object ? object : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
