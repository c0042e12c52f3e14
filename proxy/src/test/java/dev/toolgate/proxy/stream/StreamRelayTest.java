package dev.toolgate.proxy.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.openai.chat.ChatStreamRewriter;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.TestExchanges;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the relay writes to the client: a read's events as one chunk, flushed once, byte for
 * byte; output a decision released later is written and flushed then; buffers are all released.
 */
class StreamRelayTest {
    private static final String TEXT = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n";
    private static final String CALL = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"%s\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}]}\n\n";
    private static final String FINISH = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"%s\"}]}\n\n";

    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
            "/v1/chat/completions", PooledByteBufAllocator.DEFAULT.buffer(0));
    private final Exchange exchange = TestExchanges.of(channel.pipeline().firstContext(), request);
    private final List<CompletableFuture<GatedCall>> decisions = new ArrayList<>();
    private final ChatStreamRewriter rewriter = new ChatStreamRewriter((call, message, dropped) -> {
        CompletableFuture<GatedCall> decision = new CompletableFuture<>();
        decisions.add(decision);
        return decision;
    }, "_toolgate", URI.create("https://toolgate.example"), 1 << 20);
    private final StreamRelay relay = new StreamRelay(exchange, rewriter, 1 << 20);

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        assertThat(request.refCnt()).isZero();
    }

    @Test
    void aReadOfManyEventsLeavesAsOneChunkByteForByte() {
        StringBuilder upstream = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            upstream.append(TEXT.formatted("token " + i));
        }
        relay.onResponseHead(head());

        relay.onContent(read(upstream.toString()), false);

        List<Object> written = outbound();
        assertThat(written).hasSize(2).first().isInstanceOf(HttpResponse.class);
        assertThat(body(written)).isEqualTo(upstream.toString());
        release(written);

        // The end of the stream: what remains, and the end of the response, in the same read.
        String rest = FINISH.formatted("stop") + "data: [DONE]\n\n";
        relay.onContent(read(rest), true);
        written = outbound();
        assertThat(body(written)).isEqualTo(rest);
        assertThat(written.get(written.size() - 1)).isInstanceOf(LastHttpContent.class);
        release(written);
    }

    @Test
    void outputADecisionReleasesLaterIsWrittenThenAndTheStreamEnds() {
        String before = TEXT.formatted("let me check");
        relay.onResponseHead(head());
        relay.onContent(read(before + CALL.formatted("get_weather") + FINISH.formatted("tool_calls") + "data: [DONE]\n\n"), true);
        List<Object> written = outbound();
        assertThat(body(written)).isEqualTo(before);
        assertThat(written).noneMatch(LastHttpContent.class::isInstance);
        release(written);

        // Decided on another thread, as the audit writer completes decisions.
        CompletableFuture.runAsync(() -> decisions.get(0).complete(GatedCall.decided(new ToolCall("call_1", "get_weather", "{}"),
                new Decision.Allowed(List.of(), List.<Finding>of(), 0.0, "v-test")))).join();
        channel.runPendingTasks();

        written = outbound();
        String after = body(written);
        assertThat(after).contains("\"name\":\"get_weather\"").contains("\"finish_reason\":\"tool_calls\"").endsWith("data: [DONE]\n\n");
        assertThat(written.get(written.size() - 1)).isInstanceOf(LastHttpContent.class);
        release(written);
    }

    private static HttpResponse head() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        return head;
    }

    private static ByteBuf read(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    private List<Object> outbound() {
        List<Object> messages = new ArrayList<>();
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            messages.add(message);
        }
        return messages;
    }

    private static String body(List<Object> messages) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Object message : messages) {
            if (message instanceof HttpContent content) {
                ByteBuf bytes = content.content();
                body.writeBytes(ByteBufUtil.getBytes(bytes));
            }
        }
        return body.toString(UTF_8);
    }

    private static void release(List<Object> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }
}
