package dev.toolgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request's body can be read again (the conversation digest does) only while the exchange holds it. */
class ExchangeRequestBodyTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
            "/v1/chat/completions", Unpooled.copiedBuffer("{\"messages\":[]}", StandardCharsets.UTF_8));
    private final Exchange exchange = TestExchanges.of(channel.pipeline().firstContext(), request);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void isTheRequestsBodyUntilTheResponseIsWritten() {
        assertThat(exchange.heldRequestBody().toString(StandardCharsets.UTF_8)).isEqualTo("{\"messages\":[]}");

        exchange.respondJson(HttpResponseStatus.OK, Json.object());

        assertThat(request.refCnt()).isZero();
        assertThatThrownBy(exchange::heldRequestBody).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void isGoneWithTheClient() {
        channel.close();

        assertThat(request.refCnt()).isZero();
        assertThatThrownBy(exchange::heldRequestBody).isInstanceOf(IllegalStateException.class);
    }
}
