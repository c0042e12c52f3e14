package dev.toolgate.proxy.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.model.ToolCallFormat;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import java.net.URI;
import java.util.List;

/** Chat Completions ({@code POST /v1/chat/completions}): {@code choices[].message.tool_calls}. */
public final class ChatFormat implements ToolCallFormat {

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
