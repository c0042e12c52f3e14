package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import dev.toolgate.proxy.stream.StreamSink;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Rewrites an Anthropic Messages stream: every event passes through as it arrives except
 * {@code tool_use} blocks, each held whole until its {@code content_block_stop} and then decided.
 * A released block is sent as received; any other is replaced, at the same index, by a text
 * block saying why. {@code message_delta} waits for every decision: its {@code stop_reason}
 * {@code tool_use} becomes {@code end_turn} when no call was released, and it carries the
 * metadata block as a top-level field (the last event with a payload; {@code message_stop} stays
 * as sent). A stream without tool calls is passed through byte for byte.
 */
public final class AnthropicStreamRewriter implements StreamRewriter {
    /** The events that carry or shape a content block. */
    private static final Set<String> SHAPES_CALLS = Set.of("message_start", "content_block_start", "content_block_delta",
            "content_block_stop", "message_delta");

    private final StreamCallDecider decider;
    private final long maxInputBytes;
    private final URI publicUrl;
    private final String metadataField;
    private final Map<Integer, HeldToolUse> open = new HashMap<>();
    private final List<CompletableFuture<GatedCall>> decisions = new ArrayList<>();

    /**
     * Parameters in the order {@code ChatStreamRewriter} takes them.
     *
     * @param maxInputBytes a tool input larger than this is dropped as it streams, and the call
     *     decided as too large (rule {@value ToolCallGate#OVERSIZED_ARGUMENTS_RULE})
     */
    public AnthropicStreamRewriter(StreamCallDecider decider, String metadataField, URI publicUrl, long maxInputBytes) {
        this.decider = Objects.requireNonNull(decider, "decider");
        this.metadataField = Objects.requireNonNull(metadataField, "metadataField");
        this.publicUrl = publicUrl;
        this.maxInputBytes = maxInputBytes;
    }

    @Override
    public void onEvent(SseEvent event, StreamSink sink) {
        if (event.data() == null) {
            sink.emit(event);
            return;
        }
        ObjectNode data = parse(event.data());
        if (data == null) {
            // Unreadable data may belong to a held block: it passes only when none is open.
            if (open.isEmpty()) {
                sink.emit(event);
            }
            return;
        }
        int index = data.path("index").asInt(-1);
        String type = data.path("type").asText();
        refuseIfHidingCalls(event, type, data);
        switch (type) {
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                if ("tool_use".equals(block.path("type").asText())) {
                    open.put(index, new HeldToolUse(index, block, event, maxInputBytes));
                } else {
                    sink.emit(event);
                }
            }
            case "content_block_delta" -> {
                HeldToolUse held = open.get(index);
                if (held != null) {
                    held.delta(event, data);
                } else {
                    sink.emit(event);
                }
            }
            case "content_block_stop" -> {
                HeldToolUse held = open.remove(index);
                if (held != null) {
                    held.stop(event);
                    decide(held, sink);
                } else {
                    sink.emit(event);
                }
            }
            case "message_delta" -> {
                decideOpenBlocks(sink);
                emitMessageDelta(event, data, sink);
            }
            case "error" -> {
                decideOpenBlocks(sink);
                sink.emit(event);
            }
            default -> sink.emit(event);
        }
    }

    /**
     * Clients dispatch on the {@code event:} name or on the data's {@code type}: when the two
     * disagree about a block or a message, a {@code tool_use} could pass as something else. And
     * {@code message_start} carries no content (SDKs would start their message from it, calls
     * nobody decided included). Either way the stream is refused.
     */
    private static void refuseIfHidingCalls(SseEvent event, String type, ObjectNode data) {
        String name = event.event();
        if (name != null && !name.equals(type) && (SHAPES_CALLS.contains(name) || SHAPES_CALLS.contains(type))) {
            throw new UnreadableAnswerException("the upstream sent an event named '" + name + "' whose data is a '" + type + "'");
        }
        if (type.equals("message_start")) {
            for (JsonNode block : data.path("message").path("content")) {
                if ("tool_use".equals(block.path("type").asText())) {
                    throw new UnreadableAnswerException("the upstream started the message with a tool_use block already in it");
                }
            }
        }
    }

    @Override
    public void onEnd(StreamSink sink) {
        decideOpenBlocks(sink);
    }

    /** A block the upstream never closed is decided on the input it sent (an incomplete input fails closed). */
    private void decideOpenBlocks(StreamSink sink) {
        List<HeldToolUse> unfinished = open.values().stream().sorted((a, b) -> Integer.compare(a.index(), b.index())).toList();
        open.clear();
        unfinished.forEach(held -> decide(held, sink));
    }

    private void decide(HeldToolUse held, StreamSink sink) {
        CompletableFuture<GatedCall> decided = ask(held.call(), held.oversized());
        decisions.add(decided);
        sink.emitLater(decided.thenApply(gated -> gated.decision().releases()
                ? held.released()
                : TextBlockEvents.replacing(held.index(), DecisionSummary.replacementText(gated))));
    }

    private CompletableFuture<GatedCall> ask(ToolCall call, boolean argumentsDropped) {
        try {
            return decider.decide(call, argumentsDropped ? null : AnthropicMessage.assistantMessage(call), argumentsDropped);
        } catch (RuntimeException failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    private void emitMessageDelta(SseEvent event, ObjectNode data, StreamSink sink) {
        if (decisions.isEmpty()) {
            sink.emit(event);
            return;
        }
        List<CompletableFuture<GatedCall>> pending = List.copyOf(decisions);
        sink.emitLater(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(all -> {
            List<GatedCall> gated = pending.stream().map(CompletableFuture::join).toList();
            ObjectNode rewritten = data.deepCopy();
            JsonNode delta = rewritten.path("delta");
            if (gated.stream().noneMatch(g -> g.decision().releases()) && delta instanceof ObjectNode deltaObject
                    && "tool_use".equals(deltaObject.path("stop_reason").asText())) {
                // The agent would otherwise wait for tool results it was never asked for.
                deltaObject.put("stop_reason", "end_turn");
            }
            rewritten.set(metadataField, new DecisionSummary(gated, publicUrl).metadata());
            return List.of(SseEvent.of(event.event(), Json.text(rewritten)));
        }));
    }

    private static ObjectNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data) instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException unreadable) {
            return null;
        }
    }
}
