package dev.toolgate.proxy.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.model.ToolCallFormat;
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
    private static final List<byte[]> CALL_MARKERS = Stream.of("tool_calls", "function_call", "\\u")
            .map(marker -> marker.getBytes(StandardCharsets.US_ASCII)).toList();

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
        return body.forEachByte(new ByteProcessor() {
            private int index = start;

            @Override
            public boolean process(byte value) {
                int at = index++;
                for (byte[] marker : CALL_MARKERS) {
                    if (value == marker[0] && markerAt(body, at, marker)) {
                        return false;
                    }
                }
                return true;
            }
        }) >= 0;
    }

    private static boolean markerAt(ByteBuf body, int at, byte[] marker) {
        if (at + marker.length > body.writerIndex()) {
            return false;
        }
        for (int k = 1; k < marker.length; k++) {
            if (body.getByte(at + k) != marker[k]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Answer read(ObjectNode answer) {
        return answerOf(ChatCompletion.of(answer));
    }

    static Answer answerOf(ChatCompletion completion) {
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

    @Override
    public StreamRewriter streamRewriter(StreamCallDecider decider, String metadataField, URI publicUrl, long maxArgumentBytes,
                                         String policyVersion) {
        return new ChatStreamRewriter(decider, metadataField, publicUrl, maxArgumentBytes, policyVersion);
    }
}
