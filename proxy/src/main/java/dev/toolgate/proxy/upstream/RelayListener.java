package dev.toolgate.proxy.upstream;

import dev.toolgate.proxy.server.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Streams an upstream response to the client as it arrives, untouched. When the client cannot
 * keep up, upstream reading pauses until the pending write is flushed: a slow client slows the
 * upstream instead of growing the heap.
 */
public final class RelayListener implements UpstreamListener {
    private final Exchange exchange;
    private UpstreamCall call;

    public RelayListener(Exchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void attach(UpstreamCall call) {
        this.call = call;
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        exchange.startStream(new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status(),
                ForwardedHeaders.toClient(head.headers(), true)));
    }

    @Override
    public void onContent(ByteBuf content, boolean last) {
        if (last) {
            exchange.endStream(content);
            return;
        }
        ChannelFuture written = exchange.writeChunk(content);
        if (call != null && !exchange.clientWritable()) {
            call.setReading(false);
            written.addListener(done -> call.setReading(true));
        }
    }

    @Override
    public void onError(UpstreamException error) {
        if (exchange.streamStarted()) {
            exchange.abortStream(error.getMessage());
        } else {
            exchange.fail(UpstreamErrors.toApiError(error));
        }
    }
}
