package dev.toolgate.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Receives one upstream response as it arrives, on the upstream channel's event loop (the same
 * loop as the client's channel). Exactly one of {@code onContent(..., last=true)} or
 * {@code onError} ends the exchange.
 */
public interface UpstreamListener {

    /** Called once the exchange is under way, for listeners that pause reading or cancel it. */
    default void attach(UpstreamCall call) {
    }

    void onResponseHead(HttpResponse head);

    /** The listener owns {@code content} and must release it. */
    void onContent(ByteBuf content, boolean last);

    void onError(UpstreamException error);
}
