package dev.toolgate.proxy.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.arguments.CanonicalArguments;
import dev.toolgate.proxy.server.Json;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.Supplier;

/**
 * What identifies a conversation when the agent sends it again: the digest of its messages (or
 * Responses input, with the system prompt or instructions). Computed on first use only, because
 * most requests never need it: a text answer, or tool calls when no approval is in play, would pay
 * for serialising and hashing the whole conversation for nothing. It reads the conversation from
 * the request's bytes then, instead of keeping a tree of it from the start: the tree is larger than
 * the bytes and would be kept for as long as the model takes to answer. While any approval is live
 * every chat request is digested ({@code LiveConversations}), and its bytes are then read twice: a
 * small price next to the hashing. Used on one event loop.
 */
public final class ConversationDigest implements Supplier<String> {
    private static final List<String> CONVERSATION_FIELDS = List.of("system", "instructions", "messages", "input");

    private final Supplier<ByteBuf> requestBody;
    private String value;

    /** {@code requestBody}: the request's bytes, still held whenever the digest may be asked for. */
    ConversationDigest(Supplier<ByteBuf> requestBody) {
        this.requestBody = requestBody;
    }

    @Override
    public String get() {
        if (value == null) {
            ObjectNode request = Json.readObject(requestBody.get());
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
