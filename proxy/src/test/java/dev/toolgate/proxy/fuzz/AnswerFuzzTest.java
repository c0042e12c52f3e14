package dev.toolgate.proxy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.anthropic.AnthropicFormat;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.openai.chat.ChatFormat;
import dev.toolgate.proxy.openai.responses.ResponsesFormat;
import dev.toolgate.proxy.provider.RewrittenAnswer;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.provider.UpstreamAnswer;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Any whole (non-streaming) upstream answer, read and rewritten as the gateway does it
 * ({@code ChatCompletion.of} and {@code ChatResponseRewriter}, and the Responses and Messages
 * equivalents): nothing throws, the body buffer is released, and the answer the client gets
 * (the upstream's bytes when no call was found, the upstream's bytes with the metadata added when
 * every call was released, else the rewritten body) holds no call to {@value GovernedDecider#BLOCKED},
 * and no key twice.
 */
class AnswerFuzzTest {
    private static final URI PUBLIC_URL = URI.create("https://toolgate.example");
    private static final ObjectMapper NO_REPEATED_KEYS = Json.MAPPER.copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @FuzzTest
    void chatCompletion(byte[] input) throws IOException {
        assertNoBlockedCall(new ChatFormat(), input, ClientCalls::chatAnswer);
    }

    @FuzzTest
    void responses(byte[] input) throws IOException {
        assertNoBlockedCall(new ResponsesFormat(), input, ClientCalls::responsesAnswer);
    }

    @FuzzTest
    void anthropicMessage(byte[] input) throws IOException {
        assertNoBlockedCall(new AnthropicFormat(), input, ClientCalls::anthropicAnswer);
    }

    private static void assertNoBlockedCall(ToolCallFormat format, byte[] input, Function<JsonNode, List<String>> clientCalls)
            throws IOException {
        byte[] toClient = decide(format, input);
        if (toClient == null) {
            return;
        }
        // Read refusing repeated keys: a client reading the first of two values must find no blocked call either.
        assertThat(clientCalls.apply(NO_REPEATED_KEYS.readTree(toClient))).doesNotContain(GovernedDecider.BLOCKED);
    }

    /**
     * What the client receives, as ModelEndpoint answers it; null when the gateway refuses the
     * answer (not a JSON object, or a shape that hides its calls: 502, nothing released).
     */
    private static byte[] decide(ToolCallFormat format, byte[] input) {
        // Pooled, as the upstream client delivers it; released on every path, as the endpoint does.
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer(input.length).writeBytes(input);
        try {
            UpstreamAnswer upstreamAnswer = UpstreamAnswer.read(body, "_toolgate", format.onlyMetadataAddedWhenAllReleased());
            if (!(upstreamAnswer.json() instanceof ObjectNode root)) {
                return null;
            }
            ToolCallFormat.Answer answer;
            try {
                answer = format.read(root);
            } catch (UnreadableAnswerException failClosed) {
                return null;
            }
            List<ToolCall> calls = answer.calls();
            if (calls.isEmpty()) {
                return upstreamAnswer.unambiguous() ? input : Json.bytes(root);
            }
            assertThat(answer.assistantMessages()).hasSameSizeAs(calls);
            List<GatedCall> gated = calls.stream().map(GovernedDecider::gated).toList();
            FullHttpResponse response = RewrittenAnswer.response(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
                    answer, upstreamAnswer.verbatim(), gated, "_toolgate", PUBLIC_URL);
            try {
                return ByteBufUtil.getBytes(response.content());
            } finally {
                response.release();
            }
        } finally {
            body.release();
        }
    }

    /** The check is not vacuous: on the upstream's own answer it finds the call the rewriter withholds. */
    @Test
    void theCheckFindsTheBlockedCallInTheUpstreamAnswer() throws IOException {
        byte[] upstream = RelayRun.fixture("chat-two-tool-calls.json");

        assertThat(ClientCalls.chatAnswer(Json.MAPPER.readTree(upstream))).containsExactly("get_weather", GovernedDecider.BLOCKED);
        assertThat(ClientCalls.chatAnswer(Json.MAPPER.readTree(decide(new ChatFormat(), upstream)))).containsExactly("get_weather");
    }
}
