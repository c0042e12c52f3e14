package dev.toolgate.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request and its response. Owns the aggregated request and releases it exactly once,
 * when the response is complete or the connection is gone. Response methods may be called from
 * any thread; the work always happens on the channel's event loop.
 */
public final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    /** On every proxied answer: the gateway's own time in microseconds, without the upstream's. */
    public static final String OVERHEAD_HEADER = "x-toolgate-overhead-us";

    private final ChannelHandlerContext ctx;
    private final FullHttpRequest request;
    private final QueryStringDecoder query;
    private final boolean keepAlive;
    private final RequestsInFlight inFlight;
    private final RequestObserver observer;
    private final RequestRecord record;
    /** Set once the response is written or the client gone: the request no longer counts as in flight. */
    private final AtomicBoolean counted = new AtomicBoolean(true);
    private final long receivedNanos = System.nanoTime();
    private final AtomicBoolean released = new AtomicBoolean();
    /** One listener per exchange, removed when the response is done: keep-alive connections serve many. */
    private final ChannelFutureListener onClose = closed -> connectionClosed();
    private Runnable onClientGone = () -> { };
    private Map<String, String> pathParams = Map.of();
    private Principal principal;
    /** Headers every response to this request carries (the key's rate limit). */
    private Map<String, String> responseHeaders = Map.of();
    private boolean responseStarted;
    private boolean responseDone;

    Exchange(ChannelHandlerContext ctx, FullHttpRequest request, RequestsInFlight inFlight, RequestObserver observer) {
        this.ctx = ctx;
        this.request = request;
        this.query = new QueryStringDecoder(request.uri());
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.inFlight = inFlight;
        this.observer = observer;
        this.record = new RequestRecord(request.method().name(), query.rawPath(), receivedNanos);
        inFlight.started();
        ctx.channel().closeFuture().addListener(onClose);
    }

    /** Keep the connection for the next request, unless the client asked not to or the gateway is draining. */
    private boolean keepAlive() {
        return keepAlive && !inFlight.draining();
    }

    private void doneInFlight() {
        if (counted.compareAndSet(true, false)) {
            record.status(RequestRecord.CLIENT_GONE);
            record.finished(System.nanoTime());
            try {
                observer.completed(record);
            } catch (RuntimeException e) {
                log.warn("request observer failed for {} {}", request.method(), record.route(), e);
            } finally {
                // Only now: a shutdown waiting for requests in flight then closes the observers (the access log) after this one.
                inFlight.finished();
            }
        }
    }

    /** What this request became so far: route, status, upstream and gateway time, decisions. */
    public RequestRecord record() {
        return record;
    }

    /** The status and the gateway's overhead, as the response head leaves; a proxied answer says the overhead. */
    private void recordHead(HttpResponseStatus status, HttpHeaders headers) {
        record.status(status.code());
        long overheadNanos = record.measureOverhead(System.nanoTime());
        if (record.proxied()) {
            headers.set(OVERHEAD_HEADER, overheadNanos / 1_000);
        }
    }

    public FullHttpRequest request() {
        return request;
    }

    /**
     * The request's body, to read again while the exchange still holds it: until the response is
     * written or the client is gone. Event loop only, where the exchange releases it.
     *
     * @throws IllegalStateException once it is released
     */
    public ByteBuf heldRequestBody() {
        if (released.get()) {
            throw new IllegalStateException("the request's body is released: its response is written or its client gone");
        }
        return request.content();
    }

    public QueryStringDecoder query() {
        return query;
    }

    public String path() {
        return query.path();
    }

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        var values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    void pathParams(Map<String, String> params) {
        this.pathParams = params;
    }

    public Principal principal() {
        return principal;
    }

    /** Set by the steps that authenticate a request: a gateway key, or a dashboard session. */
    public void principal(Principal principal) {
        this.principal = principal;
        record.principal(principal.name());
    }

    /** Adds a header to whatever response this exchange ends with, streamed or not, errors included. */
    void responseHeader(String name, String value) {
        if (responseHeaders.isEmpty()) {
            responseHeaders = new LinkedHashMap<>();
        }
        responseHeaders.put(name, value);
    }

    /**
     * The headers go on as a group, and not at all when the response already has one of them: a
     * relayed upstream response with its own {@code X-RateLimit-*} is passed through unchanged.
     */
    private void addResponseHeaders(HttpHeaders headers) {
        if (responseHeaders.keySet().stream().noneMatch(headers::contains)) {
            responseHeaders.forEach(headers::set);
        }
    }

    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    public ChannelHandlerContext context() {
        return ctx;
    }

    /** Nanoseconds since the request was fully received. */
    public long elapsedNanos() {
        return System.nanoTime() - receivedNanos;
    }

    /** Runs {@code action} (on the event loop) if the client disconnects before the response completes. */
    public void onClientGone(Runnable action) {
        this.onClientGone = action;
    }

    private void connectionClosed() {
        if (!responseDone) {
            responseDone = true;
            onClientGone.run();
        }
        releaseRequest();
        doneInFlight();
    }

    public boolean clientConnected() {
        return ctx.channel().isActive();
    }

    public void respond(FullHttpResponse response) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> respond(response));
            return;
        }
        if (responseStarted || !ctx.channel().isActive()) {
            response.release();
            releaseRequest();
            return;
        }
        responseStarted = true;
        responseDone = true;
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive());
        addResponseHeaders(response.headers());
        recordHead(response.status(), response.headers());
        releaseRequest();
        finish(ctx.writeAndFlush(response));
    }

    public void respondJson(HttpResponseStatus status, Object body) {
        respond(jsonResponse(status, Json.bytes(body)));
    }

    public void fail(ApiError error) {
        FullHttpResponse response = jsonResponse(error.status(), Json.bytes(ErrorBodies.of(error.code(), error.getMessage())));
        error.headers().forEach(response.headers()::set);
        respond(response);
    }

    public static FullHttpResponse jsonResponse(HttpResponseStatus status, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return response;
    }

    /** Starts a streamed response; the head must say its framing (Content-Length or chunked). */
    public void startStream(HttpResponse head) {
        assert ctx.executor().inEventLoop();
        responseStarted = true;
        if (!HttpUtil.isContentLengthSet(head)) {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        HttpUtil.setKeepAlive(head, keepAlive());
        addResponseHeaders(head.headers());
        recordHead(head.status(), head.headers());
        ctx.write(head);
    }

    public boolean streamStarted() {
        return responseStarted;
    }

    /** Writes one piece of a streamed body (ownership of {@code content} passes to Netty). */
    public ChannelFuture writeChunk(ByteBuf content) {
        return ctx.writeAndFlush(new DefaultHttpContent(content));
    }

    public boolean clientWritable() {
        return ctx.channel().isWritable();
    }

    public void endStream(ByteBuf lastContent) {
        responseDone = true;
        releaseRequest();
        finish(ctx.writeAndFlush(lastContent.isReadable()
                ? new io.netty.handler.codec.http.DefaultLastHttpContent(lastContent)
                : releaseAndEmpty(lastContent)));
    }

    /** Ends a stream that cannot be completed (the upstream failed mid-body): the client sees a cut connection. */
    public void abortStream(String why) {
        log.warn("aborting response to {} {}: {}", request.method(), path(), why);
        responseDone = true;
        ctx.channel().closeFuture().removeListener(onClose);
        releaseRequest();
        doneInFlight();
        ctx.close();
    }

    private static LastHttpContent releaseAndEmpty(ByteBuf content) {
        content.release();
        return LastHttpContent.EMPTY_LAST_CONTENT;
    }

    private void finish(ChannelFuture written) {
        ctx.channel().closeFuture().removeListener(onClose);
        written.addListener(done -> doneInFlight());
        if (keepAlive()) {
            // The next request on this connection is served only now: responses stay in order (InOrderRequests).
            written.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    f.channel().pipeline().fireUserEventTriggered(InOrderRequests.RESPONSE_WRITTEN);
                } else {
                    f.channel().close();
                }
            });
        } else {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void releaseRequest() {
        if (released.compareAndSet(false, true)) {
            request.release();
        }
    }
}
