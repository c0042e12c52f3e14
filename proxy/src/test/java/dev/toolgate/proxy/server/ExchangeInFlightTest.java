package dev.toolgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request stays in flight until its observers have seen it: a shutdown that waits for requests
 * in flight and then closes the access log must not close it before the last requests' lines.
 */
class ExchangeInFlightTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final RequestsInFlight inFlight = new RequestsInFlight();
    private final List<Integer> inFlightWhenObserved = new ArrayList<>();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void leavesTheInFlightCountOnlyAfterItsObserversRan() {
        Exchange exchange = new Exchange(channel.pipeline().firstContext(),
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz", Unpooled.EMPTY_BUFFER), inFlight,
                record -> inFlightWhenObserved.add(inFlight.count()));
        assertThat(inFlight.count()).isEqualTo(1);

        exchange.respondJson(HttpResponseStatus.OK, Json.object());

        assertThat(inFlightWhenObserved).containsExactly(1);
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void leavesItEvenWhenAnObserverFails() {
        Exchange exchange = new Exchange(channel.pipeline().firstContext(),
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz", Unpooled.EMPTY_BUFFER), inFlight,
                record -> {
                    throw new IllegalStateException("observer broke");
                });

        exchange.respondJson(HttpResponseStatus.OK, Json.object());

        assertThat(inFlight.count()).isZero();
    }
}
