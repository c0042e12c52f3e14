package dev.toolgate.proxy.upstream;

import dev.toolgate.proxy.server.RequestRecord;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Marks on the request's record when it went upstream, when the answer's head came and when the
 * answer ended, then passes everything on: the gateway's overhead is the time that is not the
 * upstream's, and the upstream's latency is a metric of its own.
 */
public final class TimedUpstream implements UpstreamListener {
    private final RequestRecord record;
    private final UpstreamListener listener;

    /** Marks the request as sent now: create it right before sending. */
    public TimedUpstream(RequestRecord record, UpstreamListener listener) {
        this.record = record;
        this.listener = listener;
        record.upstreamSent();
    }

    @Override
    public void attach(UpstreamCall call) {
        listener.attach(call);
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        record.upstreamAnswered();
        listener.onResponseHead(head);
    }

    @Override
    public void onContent(ByteBuf content, boolean last) {
        if (last) {
            record.upstreamDone();
        }
        listener.onContent(content, last);
    }

    @Override
    public void onError(UpstreamException error) {
        record.upstreamDone();
        listener.onError(error);
    }
}
