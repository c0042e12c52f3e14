package dev.toolgate.proxy.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each complete request and passes its {@link Exchange} through the request steps
 * (authentication, rate limit, role...) to the endpoint. One request per connection is in flight
 * at a time (reading pauses until the response is written), so pipelined responses cannot
 * overtake each other.
 */
@Sharable
final class RequestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final Router router;
    private final List<RequestStep> steps;
    private final RequestsInFlight inFlight;
    private final RequestObserver observer;

    RequestDispatcher(Router router, List<RequestStep> steps, RequestsInFlight inFlight, RequestObserver observer) {
        super(false);
        this.router = router;
        this.steps = List.copyOf(steps);
        this.inFlight = inFlight;
        this.observer = observer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            rejectMalformed(ctx, request);
            return;
        }
        Exchange exchange = new Exchange(ctx, request, inFlight, observer);
        try {
            requireWellFormedUri(exchange);
            Router.Match match = router.find(request.method(), exchange.query().rawPath(), request.headers());
            if (match.route() == null) {
                throw match.pathKnown()
                        ? new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                                request.method() + " is not supported on " + exchange.path())
                                .withHeader("Allow", match.allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", ")))
                        : ApiError.notFound("no route for " + request.method() + " " + exchange.path());
            }
            exchange.pathParams(match.params());
            exchange.record().route(match.route().template(), match.params());
            started(exchange, request);
            proceed(0, exchange, match.route());
        } catch (ApiError error) {
            exchange.fail(error);
        } catch (Exception unexpected) {
            log.error("internal error serving {} {}", request.method(), exchange.path(), unexpected);
            exchange.fail(new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                    "the gateway failed to handle this request; see the gateway log"));
        }
    }

    private void started(Exchange exchange, FullHttpRequest request) {
        try {
            observer.started(exchange.record(), request.headers());
        } catch (RuntimeException e) {
            log.warn("request observer failed for {} {}", request.method(), exchange.record().route(), e);
        }
    }

    /** A bad percent-escape in the path or query is the client's error (400), not a failure to handle it. */
    private static void requireWellFormedUri(Exchange exchange) {
        try {
            exchange.path();
            exchange.query().parameters();
        } catch (IllegalArgumentException malformed) {
            throw ApiError.badRequest("MALFORMED_REQUEST", "malformed request URI: " + malformed.getMessage());
        }
    }

    /** Step {@code index} of the chain, or the endpoint once every step has passed the request on. */
    private void proceed(int index, Exchange exchange, Route route) throws Exception {
        if (index == steps.size()) {
            route.endpoint().serve(exchange);
        } else {
            steps.get(index).handle(exchange, route, (next, nextRoute) -> proceed(index + 1, next, nextRoute));
        }
    }

    private static void rejectMalformed(ChannelHandlerContext ctx, FullHttpRequest request) {
        Throwable cause = request.decoderResult().cause();
        request.release();
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : HttpResponseStatus.BAD_REQUEST;
        String code = cause instanceof TooLongFrameException ? "REQUEST_TOO_LARGE" : "MALFORMED_REQUEST";
        FullHttpResponse response = Exchange.jsonResponse(status,
                Json.bytes(ErrorBodies.of(code, "malformed HTTP request: " + cause.getMessage())));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        // The connection is closed after this answer: say so, or a client may reuse it and lose its next request.
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A client gone mid-request (or cut off by the request timeout) is ordinary, not a gateway fault.
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            log.debug("client connection error: {}", cause.toString());
        } else {
            log.warn("unexpected error on client connection {}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
