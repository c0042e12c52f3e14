package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRewriter;
import java.net.URI;
import java.util.List;

/** The Responses API ({@code POST /v1/responses}): the output items the client would run (see {@link ResponsesResult}). */
public final class ResponsesFormat implements ToolCallFormat {

    @Override
    public Answer read(ObjectNode answer) {
        ResponsesResult result = ResponsesResult.of(answer);
        return new Answer() {
            @Override
            public List<ToolCall> calls() {
                return result.calls().stream().map(ResponsesResult.ProposedCall::call).toList();
            }

            @Override
            public List<String> assistantMessages() {
                String all = result.assistantMessageOfAll();
                return result.calls().stream().map(call -> all).toList();
            }

            @Override
            public byte[] rewrite(List<GatedCall> gated, DecisionSummary summary, String metadataField) {
                return ResponsesRewriter.rewrite(result, gated, summary, metadataField);
            }
        };
    }

    @Override
    public StreamRewriter streamRewriter(StreamCallDecider decider, String metadataField, URI publicUrl, long maxArgumentBytes) {
        return new ResponsesStreamRewriter(decider, maxArgumentBytes, metadataField, publicUrl);
    }
}
