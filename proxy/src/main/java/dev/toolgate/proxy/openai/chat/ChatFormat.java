package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/** Chat Completions ({@code POST /v1/chat/completions}): {@code choices[].message.tool_calls}. */
public final class ChatFormat implements ToolCallFormat {
    /**
     * What must send an answer to the parser: the two keys a call can sit under, and the start of a
     * unicode escape (backslash, u), with which a key can be spelled without its bytes appearing.
     */
    private static final byte[][] CALL_MARKERS = Stream.of("tool_calls", "function_call", "\\u")
            .map(marker -> marker.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    static {
        for (byte[] marker : CALL_MARKERS) {
            for (int k = 1; k < marker.length; k++) {
                if (marker[k] == marker[0]) {
                    throw new IllegalStateException("MarkerScan needs markers whose first byte does not recur");
                }
            }
        }
    }

    /**
     * The answer holds no call when no marker appears in its bytes and the bytes are UTF-8 as the
     * parser will read them: it detects UTF-16 and UTF-32 from zero bytes at the start, where these
     * ASCII markers would not be found byte for byte. One pass over the body, buffers composed or not.
     */
    @Override
    public boolean mayHoldCalls(ByteBuf body) {
        int start = body.readerIndex();
        for (int i = start; i < Math.min(body.writerIndex(), start + 4); i++) {
            if (body.getByte(i) == 0) {
                return true;
            }
        }
        return body.forEachByte(new MarkerScan()) >= 0;
    }

    /**
     * Matches every marker at once, a few comparisons per byte and no look-back into the buffer
     * (text answers are full of the markers' first letters). Since no marker's first byte recurs
     * in it, a mismatch can restart a match only at the current byte.
     */
    private static final class MarkerScan implements ByteProcessor {
        private final int[] matched = new int[CALL_MARKERS.length];

        @Override
        public boolean process(byte value) {
            for (int m = 0; m < CALL_MARKERS.length; m++) {
                byte[] marker = CALL_MARKERS[m];
                int next = marker[matched[m]] == value ? matched[m] + 1 : marker[0] == value ? 1 : 0;
                if (next == marker.length) {
                    return false;
                }
                matched[m] = next;
            }
            return true;
        }
    }

    @Override
    public Answer read(ObjectNode answer) {
        return answerOf(ChatCompletion.of(answer));
    }

    public static Answer answerOf(ChatCompletion completion) {
        return new Answer() {
            @Override
            public List<ToolCall> calls() {
                return completion.calls().stream().map(ChatCompletion.ProposedCall::call).toList();
            }

            @Override
            public List<String> assistantMessages() {
                return completion.calls().stream().map(proposed -> Json.text(proposed.message())).toList();
            }

            @Override
            public byte[] rewrite(List<GatedCall> gated, DecisionSummary summary, String metadataField) {
                return ChatResponseRewriter.rewrite(completion, gated, summary, metadataField);
            }
        };
    }

    /** {@link ChatResponseRewriter} touches a choice only to remove a call that may not run. */
    @Override
    public boolean onlyMetadataAddedWhenAllReleased() {
        return true;
    }

    @Override
    public StreamRewriter streamRewriter(StreamCallDecider decider, String metadataField, URI publicUrl, long maxArgumentBytes) {
        return new ChatStreamRewriter(decider, metadataField, publicUrl, maxArgumentBytes);
    }
}
