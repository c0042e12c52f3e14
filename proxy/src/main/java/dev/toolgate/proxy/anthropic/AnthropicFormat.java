package dev.toolgate.proxy.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import java.net.URI;
import java.util.List;

/** Anthropic Messages ({@code POST /v1/messages}): {@code tool_use} content blocks. */
public final class AnthropicFormat implements ToolCallFormat {

    @Override
    public Answer read(ObjectNode answer) {
        AnthropicMessage message = AnthropicMessage.of(answer);
        return new Answer() {
            @Override
            public List<ToolCall> calls() {
                return message.calls().stream().map(AnthropicMessage.ProposedCall::call).toList();
            }

            @Override
            public List<String> assistantMessages() {
                String all = message.assistantMessageOfAll();
                return message.calls().stream().map(call -> all).toList();
            }

            @Override
            public byte[] rewrite(List<GatedCall> gated, DecisionSummary summary, String metadataField) {
                return AnthropicRewriter.rewrite(message, gated, summary, metadataField);
            }
        };
    }

    @Override
    public StreamRewriter streamRewriter(StreamCallDecider decider, String metadataField, URI publicUrl, long maxArgumentBytes) {
        return new AnthropicStreamRewriter(decider, metadataField, publicUrl, maxArgumentBytes);
    }
}
