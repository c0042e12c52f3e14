package dev.toolgate.proxy.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.stream.StreamRelay;
import dev.toolgate.proxy.upstream.BufferingListener;
import dev.toolgate.proxy.upstream.FailoverUpstream;
import dev.toolgate.proxy.upstream.ForwardedHeaders;
import dev.toolgate.proxy.upstream.TimedUpstream;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import dev.toolgate.proxy.upstream.UpstreamCall;
import dev.toolgate.proxy.upstream.UpstreamErrors;
import dev.toolgate.proxy.upstream.UpstreamException;
import dev.toolgate.proxy.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model route ({@code /v1/chat/completions}, {@code /v1/responses}, {@code /v1/messages}):
 * forwards upstream, decides every tool call in the answer with the shared gate, and returns the
 * answer rewritten, whole or streamed. An answer without tool calls goes back byte for byte.
 */
public final class ModelEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(ModelEndpoint.class);
    /** Generous for one SSE event; tool arguments arrive in small fragments, text in small deltas. */
    private static final int MIN_EVENT_BYTES = 1 << 20;

    private final FailoverUpstream upstream;
    private final ToolCallFormat format;
    private final ToolCallGate gate;
    private final Limits limits;
    private final String metadataField;
    private final URI publicUrl;
    private final ConversationRetry retry;

    /** Sizes the gateway buffers or accepts on this route. */
    public record Limits(long maxResponseBytes, long maxArgumentBytes) {
    }

    /**
     * @param retry answers retried conversations from approvals; null where the format has none
     */
    public ModelEndpoint(FailoverUpstream upstream, ToolCallFormat format, ToolCallGate gate, Limits limits,
                         String metadataField, URI publicUrl, ConversationRetry retry) {
        this.upstream = upstream;
        this.format = format;
        this.gate = gate;
        this.limits = limits;
        this.metadataField = metadataField;
        this.publicUrl = publicUrl;
        this.retry = retry;
    }

    @Override
    public void serve(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        ModelRequestHead head = ModelRequestHead.read(exchange.request().content());
        boolean stream = head.stream();
        Principal principal = exchange.principal();
        exchange.record().model(head.model());
        CallContext context = new CallContext(principal.workspace(), principal.name(), head.model(),
                Map.of("source", "proxy", "path", exchange.path()));
        ConversationDigest conversationDigest = new ConversationDigest(exchange::heldRequestBody);
        Runnable forward = () -> forward(exchange, context, conversationDigest, stream);
        if (retry != null && retry.mayApply(conversationDigest)) {
            retry.answer(exchange, context, conversationDigest.get(), stream, forward);
        } else {
            forward.run();
        }
    }

    private void forward(Exchange exchange, CallContext context, ConversationDigest conversationDigest, boolean stream) {
        long overheadBefore = exchange.elapsedNanos();
        // Everything that can fail is built before the request body is retained for the upstream.
        UpstreamListener listener = stream
                ? new StreamRelay(exchange, format.streamRewriter(decider(context, conversationDigest, overheadBefore, exchange.record()),
                        metadataField, publicUrl, limits.maxArgumentBytes()),
                        maxEventBytes())
                : new BufferingListener(exchange.context().alloc(), limits.maxResponseBytes(),
                        new AnswerHandler(exchange, context, conversationDigest, overheadBefore));
        // Whichever endpoint answers, its answer goes through the same listener: its calls are decided.
        UpstreamCall call = upstream.send(exchange.eventLoop(), exchange.query(), route -> {
            FullHttpRequest forwarded = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                    exchange.heldRequestBody().retainedDuplicate(),
                    ForwardedHeaders.toUpstream(exchange.request().headers(), route), EmptyHttpHeaders.INSTANCE);
            // The gateway must read the answer, so it asks for it uncompressed.
            forwarded.headers().remove(HttpHeaderNames.ACCEPT_ENCODING);
            return forwarded;
        }, new TimedUpstream(exchange.record(), listener));
        listener.attach(call);
        exchange.onClientGone(call::cancel);
    }

    private int maxEventBytes() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_EVENT_BYTES, limits.maxArgumentBytes() * 2));
    }

    /** Decides one call of a stream as it completes, through the same gate and audit as whole answers. */
    private StreamCallDecider decider(CallContext context, ConversationDigest conversationDigest, long overheadBefore,
                                      RequestRecord record) {
        return (call, assistantMessage, argumentsDropped) -> gate.decide(new ToolCallGate.Request(context, "proxy", List.of(call),
                () -> new ToolCallGate.Replay(Collections.singletonList(assistantMessage), conversationDigest.get()),
                HttpResponseStatus.OK.code(), overheadBefore, argumentsDropped, record)).thenApply(gated -> gated.get(0));
    }

    /** Decides a whole upstream answer and writes the client's response. */
    private final class AnswerHandler implements BufferingListener.Receiver {
        private final Exchange exchange;
        private final CallContext context;
        private final ConversationDigest conversationDigest;
        private final long overheadBefore;

        AnswerHandler(Exchange exchange, CallContext context, ConversationDigest conversationDigest, long overheadBefore) {
            this.exchange = exchange;
            this.context = context;
            this.conversationDigest = conversationDigest;
            this.overheadBefore = overheadBefore;
        }

        @Override
        public void onResponse(HttpResponse head, ByteBuf body) {
            try {
                decideAndRespond(head, body);
            } catch (RuntimeException bug) {
                // Fail closed and answer: an unanswered client would wait for its own timeout.
                log.error("internal error deciding an upstream answer for agent '{}'; nothing released", context.agent(), bug);
                if (body.refCnt() > 0) {
                    body.release();
                }
                exchange.fail(internalError());
            }
        }

        private void decideAndRespond(HttpResponse head, ByteBuf body) {
            if (head.status().codeClass() != HttpStatusClass.SUCCESS) {
                exchange.respond(unchanged(head, body));
                return;
            }
            if (!format.mayHoldCalls(body) && Json.isObject(body)) {
                exchange.respond(unchanged(head, body));
                return;
            }
            UpstreamAnswer upstreamAnswer = UpstreamAnswer.read(body, metadataField, format.onlyMetadataAddedWhenAllReleased());
            if (!(upstreamAnswer.json() instanceof ObjectNode root)) {
                body.release();
                exchange.fail(new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_INVALID_RESPONSE",
                        "the upstream answered " + head.status().code() + " with a body that is not a JSON object; nothing was released"));
                return;
            }
            ToolCallFormat.Answer answer;
            try {
                answer = format.read(root);
            } catch (UnreadableAnswerException unreadable) {
                log.warn("refusing an upstream answer for agent '{}': {}", context.agent(), unreadable.getMessage());
                body.release();
                exchange.fail(new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_INVALID_RESPONSE",
                        unreadable.getMessage() + "; nothing was released"));
                return;
            }
            List<ToolCall> calls = answer.calls();
            if (calls.isEmpty()) {
                if (upstreamAnswer.unambiguous()) {
                    exchange.respond(unchanged(head, body));
                } else {
                    // A key given twice could hold a call a client reading the first value would run.
                    body.release();
                    exchange.respond(asRead(head, root));
                }
                return;
            }
            body.release();
            ToolCallGate.Request request = new ToolCallGate.Request(context, "proxy", calls,
                    () -> new ToolCallGate.Replay(answer.assistantMessages(), conversationDigest.get()),
                    head.status().code(), overheadBefore).from(exchange.record());
            gate.decide(request).whenComplete((gated, failure) -> exchange.eventLoop().execute(() -> {
                if (failure != null) {
                    log.error("could not record decisions for {} tool call(s) from agent '{}'; none released: {}",
                            calls.size(), context.agent(), failure.toString());
                    exchange.fail(ApiError.decisionUnavailable());
                } else {
                    respondRewritten(exchange, context, head, answer, upstreamAnswer.verbatim(), gated);
                }
            }));
        }

        @Override
        public void onError(UpstreamException error) {
            log.warn("upstream request for agent '{}' failed: {}", context.agent(), error.getMessage());
            exchange.fail(UpstreamErrors.toApiError(error));
        }
    }

    private void respondRewritten(Exchange exchange, CallContext context, HttpResponse head, ToolCallFormat.Answer answer,
                                  byte[] verbatim, List<GatedCall> gated) {
        FullHttpResponse response;
        try {
            response = RewrittenAnswer.response(head, answer, verbatim, gated, metadataField, publicUrl);
        } catch (RuntimeException bug) {
            log.error("internal error rewriting the answer for agent '{}'; nothing released", context.agent(), bug);
            exchange.fail(internalError());
            return;
        }
        exchange.respond(response);
    }

    public static ApiError internalError() {
        return new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                "the gateway failed to decide the tool calls in this response, so none were released; see the gateway log");
    }

    /** The answer as the gateway read it (the last value of a repeated key), with the upstream's headers. */
    private static FullHttpResponse asRead(HttpResponse head, ObjectNode root) {
        return unchanged(head, Unpooled.wrappedBuffer(Json.bytes(root)));
    }

    private static FullHttpResponse unchanged(HttpResponse head, ByteBuf body) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), body,
                ForwardedHeaders.toClient(head.headers(), false), EmptyHttpHeaders.INSTANCE);
    }
}
