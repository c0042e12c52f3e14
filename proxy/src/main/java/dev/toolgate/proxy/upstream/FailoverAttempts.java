package dev.toolgate.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request tried on a provider's endpoints in turn. An attempt that fails before its answer's
 * head (no connection, a reset, a timeout) or whose head says 429 or 5xx is abandoned, nothing of
 * it passed on, and the next endpoint is asked; the first other head is passed on and commits the
 * request to that endpoint, so a stream is never retried once the client may have seen a byte of
 * it. The last endpoint's answer, whatever it is, is the client's. Runs on one event loop.
 */
final class FailoverAttempts implements UpstreamCall {
    private static final Logger log = LoggerFactory.getLogger(FailoverAttempts.class);

    private final UpstreamClient client;
    private final EventLoop loop;
    private final QueryStringDecoder clientUri;
    private final UpstreamRequest request;
    private final UpstreamListener listener;
    private final List<FailoverEndpoint> order;
    private final FailoverObserver observer;
    private UpstreamCall current;
    private boolean cancelled;
    private boolean reading = true;

    FailoverAttempts(UpstreamClient client, EventLoop loop, QueryStringDecoder clientUri, UpstreamRequest request,
                     UpstreamListener listener, List<FailoverEndpoint> order, FailoverObserver observer) {
        this.client = client;
        this.loop = loop;
        this.clientUri = clientUri;
        this.request = request;
        this.listener = listener;
        this.order = order;
        this.observer = observer;
    }

    /** Sends to the first endpoint; the request is built here, on the caller's thread, so a bad request fails the caller. */
    void start() {
        send(0);
    }

    private void send(int index) {
        FailoverEndpoint endpoint = order.get(index);
        FullHttpRequest built = ModelRewrite.apply(request.build(endpoint.route()), endpoint.model());
        Attempt attempt = new Attempt(endpoint, index);
        current = client.send(loop, endpoint.route().target(clientUri), built, attempt);
        if (!reading) {
            current.setReading(false);
        }
    }

    private void failOver(Attempt failed, String why) {
        FailoverEndpoint next = order.get(failed.index + 1);
        log.warn("upstream {} failed ({}); trying {} next", failed.endpoint.url(), why, next.url());
        observer.failedOver(failed.endpoint, next, why);
        // Off this callback: the abandoned exchange is still unwinding its own call stack.
        loop.execute(() -> {
            if (cancelled) {
                return;
            }
            try {
                send(failed.index + 1);
            } catch (RuntimeException unusable) {
                listener.onError(new UpstreamException(UpstreamException.Kind.UNAVAILABLE,
                        "cannot send to upstream " + next.url() + ": " + unusable.getMessage(), unusable));
            }
        });
    }

    @Override
    public void setReading(boolean reading) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> setReading(reading));
            return;
        }
        this.reading = reading;
        if (current != null) {
            current.setReading(reading);
        }
    }

    @Override
    public void cancel() {
        if (!loop.inEventLoop()) {
            loop.execute(this::cancel);
            return;
        }
        cancelled = true;
        if (current != null) {
            current.cancel();
        }
    }

    private static boolean retryable(HttpResponseStatus status) {
        return status.code() == 429 || status.code() >= 500;
    }

    /** One endpoint's exchange: passes its answer on, or abandons it for the next endpoint. */
    private final class Attempt implements UpstreamListener {
        private final FailoverEndpoint endpoint;
        private final int index;
        private final long sentNanos = System.nanoTime();
        private boolean abandoned;
        private boolean headPassed;

        Attempt(FailoverEndpoint endpoint, int index) {
            this.endpoint = endpoint;
            this.index = index;
        }

        private boolean last() {
            return index == order.size() - 1;
        }

        @Override
        public void onResponseHead(HttpResponse head) {
            long latency = System.nanoTime() - sentNanos;
            boolean failed = retryable(head.status());
            endpoint.health().record(failed, latency, failed ? "answered " + head.status() : null);
            if (failed && !last() && !cancelled) {
                abandoned = true;
                current.cancel();
                failOver(this, "answered " + head.status().code());
                return;
            }
            headPassed = true;
            listener.onResponseHead(head);
        }

        @Override
        public void onContent(ByteBuf content, boolean last) {
            if (abandoned) {
                content.release();
                return;
            }
            listener.onContent(content, last);
        }

        @Override
        public void onError(UpstreamException error) {
            if (abandoned) {
                return;
            }
            if (headPassed) {
                // Part of the answer may be with the client already: never retried.
                listener.onError(error);
                return;
            }
            endpoint.health().record(true, -1, error.getMessage());
            if (!cancelled && !last()) {
                abandoned = true;
                failOver(this, error.getMessage());
                return;
            }
            listener.onError(error);
        }
    }
}
