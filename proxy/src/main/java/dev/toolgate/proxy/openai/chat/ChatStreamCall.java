package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.HeldArguments;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.HeldEvents;
import dev.toolgate.proxy.stream.SseEvent;
import java.util.List;
import java.util.function.Supplier;

/**
 * One streamed tool call while it is held: the text the policy decides on (id, name, arguments
 * joined from their fragments) and the events that release it as the upstream sent it.
 *
 * <p>Memory stays bounded by {@code maxBytes}: past it in name and arguments the call is
 * oversized and everything but its name is dropped (it can only be blocked); past it in held
 * events, the events are dropped and an allowed call is re-emitted as one chunk built from the
 * joined text, since upstream envelopes can be fifty times the size of the fragments they carry.
 */
final class ChatStreamCall {
    /** The index under which a choice's legacy {@code function_call} is held: it has none of its own. */
    static final int LEGACY_FUNCTION_CALL = -1;

    private final int choice;
    private final int index;
    private String id;
    private String type;
    private boolean custom;
    private final StringBuilder name = new StringBuilder();
    /** Name and arguments count against one limit: past it the call can only be blocked. */
    private final HeldArguments arguments;
    /** The upstream's events for this call, in order, while they fit the budget. */
    private final HeldEvents pieces;
    /** A chunk of this call whose envelope a compacted call is re-emitted with. */
    private ObjectNode template;

    ChatStreamCall(int choice, int index, long maxBytes) {
        this.choice = choice;
        this.index = index;
        this.arguments = new HeldArguments(maxBytes);
        this.pieces = new HeldEvents(maxBytes);
    }

    int choice() {
        return choice;
    }

    /**
     * Adds one delta of this call ({@code tool_calls[i]}, or a legacy {@code function_call}).
     * {@code piece} builds the event that carries it, asked only while events are still held.
     */
    void add(JsonNode delta, Supplier<SseEvent> piece, ObjectNode chunk) {
        if (arguments.dropped()) {
            return;
        }
        JsonNode function = delta;
        if (index != LEGACY_FUNCTION_CALL) {
            if (id == null && delta.path("id").isTextual()) {
                id = delta.get("id").textValue();
            }
            if (type == null && delta.path("type").isTextual()) {
                type = delta.get("type").textValue();
            }
            custom = custom || "custom".equals(type) || (!delta.has("function") && delta.has("custom"));
            function = custom ? delta.path("custom") : delta.path("function");
        }
        String nameFragment = fragment(function.path("name"));
        arguments.count(nameFragment);
        if (!arguments.dropped()) {
            name.append(nameFragment);
        }
        arguments.append(fragment(function.path(custom ? "input" : "arguments")));
        if (arguments.dropped()) {
            pieces.drop();
            template = null;
            return;
        }
        if (template == null) {
            template = chunk;
        }
        if (pieces.kept()) {
            pieces.add(piece.get());
        }
    }

    /** Name and arguments together exceeded the limit: the call is blocked unread. */
    boolean oversized() {
        return arguments.dropped();
    }

    /** The call as the policy sees it; an oversized call has no arguments left to show. */
    ToolCall toolCall() {
        return new ToolCall(id, name.toString(), arguments.text());
    }

    /** The call as a Chat Completions assistant message, kept with a held call so it can be replayed. */
    String assistantMessage() {
        ObjectNode message = Json.object();
        message.put("role", "assistant");
        message.putNull("content");
        if (index == LEGACY_FUNCTION_CALL) {
            message.set("function_call", function());
        } else {
            message.putArray("tool_calls").add(toolCallNode(false));
        }
        return Json.text(message);
    }

    /** The events that give the agent this call exactly as proposed (none for an oversized call). */
    List<SseEvent> releaseEvents() {
        if (arguments.dropped()) {
            return List.of();
        }
        if (pieces.kept()) {
            return pieces.events();
        }
        ObjectNode delta = Json.object();
        if (index == LEGACY_FUNCTION_CALL) {
            delta.set("function_call", function());
        } else {
            delta.putArray("tool_calls").add(toolCallNode(true));
        }
        return List.of(ChatStreamChunks.withChoice(template, ChatStreamChunks.choice(choice, delta, null)));
    }

    private ObjectNode toolCallNode(boolean withIndex) {
        ObjectNode call = Json.object();
        if (withIndex) {
            call.put("index", index);
        }
        call.put("id", id);
        call.put("type", type != null ? type : "function");
        call.set(custom ? "custom" : "function", function());
        return call;
    }

    private ObjectNode function() {
        ObjectNode function = Json.object();
        function.put("name", name.toString());
        function.put(custom ? "input" : "arguments", arguments.text());
        return function;
    }

    /** Fragments are strings; anything else is joined as its JSON text, as the non-streaming path decides it. */
    private static String fragment(JsonNode fragment) {
        if (fragment.isMissingNode() || fragment.isNull()) {
            return "";
        }
        return fragment.isTextual() ? fragment.textValue() : fragment.toString();
    }
}
