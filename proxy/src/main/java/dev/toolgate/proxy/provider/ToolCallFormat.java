package dev.toolgate.proxy.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.util.List;

/**
 * One provider wire format (Chat Completions, Responses, Anthropic Messages): where its tool calls
 * are, and how an answer is rewritten once they are decided, whole or streamed.
 */
public interface ToolCallFormat {

    /** An upstream answer read for tool calls. */
    interface Answer {
        /** In answer order; empty means the answer goes back byte for byte. */
        List<ToolCall> calls();

        /** Per call, the assistant message (Chat Completions JSON) kept with a held call for an exact replay. */
        List<String> assistantMessages();

        /** The answer with calls that may not run replaced, and the metadata block added. */
        byte[] rewrite(List<GatedCall> gated, DecisionSummary summary, String metadataField);
    }

    Answer read(ObjectNode answer);

    /**
     * True when an answer's {@link Answer#rewrite} changes nothing but the metadata block once every
     * call is released, so that the upstream's bytes with the block spliced in are the same answer
     * and are worth keeping ({@link UpstreamAnswer#verbatim}). False, the default, keeps no bytes.
     */
    default boolean onlyMetadataAddedWhenAllReleased() {
        return false;
    }

    /**
     * A byte check made before any parsing: false only when {@code body} certainly holds no call,
     * so that a text answer is validated and passed on without building its JSON tree. True when
     * in doubt; the default, for formats without such a check.
     */
    default boolean mayHoldCalls(ByteBuf body) {
        return true;
    }

    /**
     * A rewriter for one stream. {@code publicUrl} is for the approval links in its metadata; a
     * call's arguments are held up to {@code maxArgumentBytes}.
     */
    StreamRewriter streamRewriter(StreamCallDecider decider, String metadataField, URI publicUrl, long maxArgumentBytes);
}
