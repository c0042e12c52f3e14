package dev.toolgate.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/** Builds an {@link Exchange} outside the server, so relay code can be driven over an {@code EmbeddedChannel}. */
public final class TestExchanges {
    private TestExchanges() {
    }

    /** The exchange owns {@code request} from here on and releases it once, as the server's does. */
    public static Exchange of(ChannelHandlerContext ctx, FullHttpRequest request) {
        return new Exchange(ctx, request, new RequestsInFlight(), RequestObserver.NONE);
    }
}
