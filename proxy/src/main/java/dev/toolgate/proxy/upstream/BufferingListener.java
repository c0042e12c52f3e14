package dev.toolgate.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Collects a whole upstream response, up to a limit, for endpoints that must read it before
 * answering (a rewrite needs the complete body).
 */
public final class BufferingListener implements UpstreamListener {
    private static final int MAX_COMPONENTS = 1024;

    /** Receives the outcome; the receiver owns {@code body} and must release it. */
    public interface Receiver {
        void onResponse(HttpResponse head, ByteBuf body);

        void onError(UpstreamException error);
    }

    private final ByteBufAllocator allocator;
    private final long maxBytes;
    private final Receiver receiver;
    private UpstreamCall call;
    private HttpResponse head;
    private CompositeByteBuf body;
    private boolean failed;

    public BufferingListener(ByteBufAllocator allocator, long maxBytes, Receiver receiver) {
        this.allocator = allocator;
        this.maxBytes = maxBytes;
        this.receiver = receiver;
    }

    /** Lets an oversized response cancel the exchange instead of draining it. */
    @Override
    public void attach(UpstreamCall call) {
        this.call = call;
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        this.head = head;
        this.body = allocator.compositeBuffer(MAX_COMPONENTS);
    }

    @Override
    public void onContent(ByteBuf content, boolean last) {
        if (failed) {
            content.release();
            return;
        }
        if (body.readableBytes() + (long) content.readableBytes() > maxBytes) {
            content.release();
            body.release();
            body = null;
            failed = true;
            if (call != null) {
                call.cancel();
            }
            receiver.onError(new UpstreamException(UpstreamException.Kind.TOO_LARGE,
                    "upstream response exceeds the gateway's limit of " + maxBytes + " bytes"));
            return;
        }
        body.addComponent(true, content);
        if (last) {
            ByteBuf complete = body;
            body = null;
            receiver.onResponse(head, complete);
        }
    }

    @Override
    public void onError(UpstreamException error) {
        if (body != null) {
            body.release();
            body = null;
        }
        if (!failed) {
            failed = true;
            receiver.onError(error);
        }
    }
}
