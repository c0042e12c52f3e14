package dev.toolgate.proxy.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * How a wire format answers a retried conversation from a stored approval without asking the
 * model: the provider's answer rebuilt from the stored assistant message (same call ids, same
 * arguments), whole or as the format's event stream.
 */
public interface ReplayFormat {

    /** Reads and rewrites the rebuilt answer, as for an upstream answer. */
    ToolCallFormat format();

    /**
     * The provider's answer holding the text and calls of {@code message} (a stored Chat Completions
     * assistant message); empty when a call cannot be rebuilt exactly in this format, and the
     * request then goes to the model.
     */
    Optional<ObjectNode> answer(ObjectNode message, String answerId, String model, Instant now);

    /** {@code rewritten}: the answer with its calls decided and its metadata block, as this format's event stream. */
    byte[] stream(ObjectNode rewritten, String metadataField);
}
