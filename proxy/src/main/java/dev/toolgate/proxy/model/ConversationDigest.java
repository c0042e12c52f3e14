package dev.toolgate.proxy.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.CanonicalArguments;
import dev.toolgate.proxy.server.Json;
import java.util.List;
import java.util.function.Supplier;

/**
 * What identifies a conversation when the agent sends it again: the digest of its messages (or
 * Responses input, with the system prompt or instructions). Computed on first use only, because
 * most requests never need it: a text answer, or tool calls when no approval is in play, would pay
 * for serialising and hashing the whole conversation for nothing. Used on one event loop.
 */
public final class ConversationDigest implements Supplier<String> {
    private static final List<String> CONVERSATION_FIELDS = List.of("system", "instructions", "messages", "input");

    private final ObjectNode request;
    private String value;

    ConversationDigest(ObjectNode request) {
        this.request = request;
    }

    @Override
    public String get() {
        if (value == null) {
            ObjectNode conversation = Json.object();
            for (String field : CONVERSATION_FIELDS) {
                if (request.has(field)) {
                    conversation.set(field, request.get(field));
                }
            }
            value = CanonicalArguments.sha256(Json.text(conversation));
        }
        return value;
    }
}
