package dev.toolgate.proxy.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.UpstreamConfig;
import dev.toolgate.policy.CallContext;
import dev.toolgate.proxy.BlockingExecutor;
import dev.toolgate.proxy.approval.Approvals;
import dev.toolgate.proxy.approval.LiveConversations;
import dev.toolgate.storage.PendingApproval;
import io.netty.handler.codec.http.DefaultHttpResponse;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import dev.toolgate.proxy.gate.CanonicalArguments;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.proxy.upstream.BufferingListener;
import dev.toolgate.proxy.upstream.ForwardedHeaders;
import dev.toolgate.proxy.upstream.UpstreamCall;
import dev.toolgate.proxy.upstream.UpstreamClient;
import dev.toolgate.proxy.upstream.UpstreamErrors;
import dev.toolgate.proxy.upstream.UpstreamException;
import dev.toolgate.proxy.upstream.UpstreamTarget;
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
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}: forwards upstream, decides every tool call in the answer and
 * returns it rewritten. An answer without tool calls goes back byte for byte.
 */
public final class ChatCompletionsEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(ChatCompletionsEndpoint.class);
    /** The head of an answer the gateway gives itself, from an approval, without the model. */
    private static final HttpResponse RETRY_HEAD = retryHead();

    private final UpstreamClient upstream;
    private final UpstreamConfig upstreamConfig;
    private final ToolCallGate gate;
    private final long maxResponseBytes;
    private final String metadataField;
    private final URI publicUrl;
    private final Approvals approvals;
    private final LiveConversations liveConversations;
    private final BlockingExecutor blocking;
    private final Clock clock;

    public ChatCompletionsEndpoint(UpstreamClient upstream, UpstreamConfig upstreamConfig, ToolCallGate gate,
                                   long maxResponseBytes, String metadataField, URI publicUrl, Approvals approvals,
                                   LiveConversations liveConversations, BlockingExecutor blocking, Clock clock) {
        this.upstream = upstream;
        this.upstreamConfig = upstreamConfig;
        this.gate = gate;
        this.maxResponseBytes = maxResponseBytes;
        this.metadataField = metadataField;
        this.publicUrl = publicUrl;
        this.approvals = approvals;
        this.liveConversations = liveConversations;
        this.blocking = blocking;
        this.clock = clock;
    }

    @Override
    public void serve(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        ObjectNode body = Json.readObject(exchange.request().content());
        if (body.path("stream").asBoolean(false)) {
            // Until streamed tool calls are intercepted, a stream would bypass policy: refuse it.
            throw ApiError.badRequest("STREAMING_NOT_SUPPORTED",
                    "stream: true is not supported by this gateway yet; send the request without streaming");
        }
        Principal principal = exchange.principal();
        CallContext context = new CallContext(principal.workspace(), principal.name(), body.path("model").asText(""),
                Map.of("source", "proxy", "path", exchange.path()));
        String conversationDigest = CanonicalArguments.sha256(Json.text(body.path("messages")));
        if (liveConversations.mayHaveApproval(conversationDigest)) {
            answerRetryOrForward(exchange, context, conversationDigest);
        } else {
            forward(exchange, context, conversationDigest);
        }
    }

    /**
     * The agent sent a conversation an approval covers: answer from the approval without asking
     * the model (replay, still pending, or refused), or forward when the approval no longer applies.
     */
    private void answerRetryOrForward(Exchange exchange, CallContext context, String conversationDigest) {
        long started = System.nanoTime();
        blocking.supply(() -> approvals.forConversation(context, conversationDigest)
                        .flatMap(approval -> approvals.standingOf(approval, context.agent())
                                .map(standing -> retryAnswer(approval, standing, context))))
                .thenCompose(answer -> answer.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.<Retried>empty())
                        : gate.record(answer.get().request(), List.of(answer.get().call()), System.nanoTime() - started)
                                .thenApply(recorded -> Optional.of(new Retried(answer.get().completion(), recorded))))
                .whenComplete((answer, failure) -> exchange.eventLoop().execute(() -> {
                    if (!exchange.clientConnected()) {
                        return;
                    }
                    if (failure != null) {
                        log.error("could not check approvals for a retried conversation from agent '{}'; nothing released: {}",
                                context.agent(), failure.toString());
                        exchange.fail(ApiError.decisionUnavailable());
                    } else if (answer.isEmpty()) {
                        forward(exchange, context, conversationDigest);
                    } else {
                        respondRewritten(exchange, context, RETRY_HEAD, answer.get().completion(), answer.get().calls());
                    }
                }));
    }

    private record RetryAnswer(ChatCompletion completion, GatedCall call, ToolCallGate.Request request) {
    }

    private record Retried(ChatCompletion completion, List<GatedCall> calls) {
    }

    private RetryAnswer retryAnswer(PendingApproval approval, Approvals.Standing standing, CallContext context) {
        ChatCompletion completion = ApprovalRetry.completionFor(approval, context.model(), clock.instant());
        GatedCall call = ApprovalRetry.gated(completion, approval, standing);
        ToolCallGate.Request request = new ToolCallGate.Request(context, "proxy", List.of(call.call()), null,
                approval.conversationDigest(), null, 0);
        return new RetryAnswer(completion, call, request);
    }

    /** Sends the request to the model and decides its answer. */
    private void forward(Exchange exchange, CallContext context, String conversationDigest) {
        FullHttpRequest forwarded = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                exchange.request().content().retainedDuplicate(),
                ForwardedHeaders.toUpstream(exchange.request().headers(), upstreamConfig.apiKey(), true),
                EmptyHttpHeaders.INSTANCE);
        // The gateway must read the answer, so it asks for it uncompressed.
        forwarded.headers().remove(HttpHeaderNames.ACCEPT_ENCODING);
        URI target = UpstreamTarget.resolve(upstreamConfig.baseUrl(), exchange.query(), "api_key");
        long overheadBefore = exchange.elapsedNanos();
        BufferingListener listener = new BufferingListener(exchange.context().alloc(), maxResponseBytes,
                new AnswerHandler(exchange, context, conversationDigest, overheadBefore));
        UpstreamCall call = upstream.send(exchange.eventLoop(), target, forwarded, listener);
        listener.attach(call);
        exchange.onClientGone(call::cancel);
    }

    /** Decides the upstream's answer and writes the client's response. */
    private final class AnswerHandler implements BufferingListener.Receiver {
        private final Exchange exchange;
        private final CallContext context;
        private final String conversationDigest;
        private final long overheadBefore;

        AnswerHandler(Exchange exchange, CallContext context, String conversationDigest, long overheadBefore) {
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
            JsonNode parsed;
            try {
                parsed = Json.read(body);
            } catch (IOException e) {
                parsed = null;
            }
            if (!(parsed instanceof ObjectNode root)) {
                body.release();
                exchange.fail(new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_INVALID_RESPONSE",
                        "the upstream answered " + head.status().code() + " with a body that is not a JSON object; nothing was released"));
                return;
            }
            ChatCompletion completion = ChatCompletion.of(root);
            if (completion.calls().isEmpty()) {
                exchange.respond(unchanged(head, body));
                return;
            }
            body.release();
            ToolCallGate.Request request = new ToolCallGate.Request(context, "proxy",
                    completion.calls().stream().map(ChatCompletion.ProposedCall::call).toList(),
                    completion.calls().stream().map(proposed -> Json.text(proposed.message())).toList(),
                    conversationDigest, head.status().code(), overheadBefore);
            gate.decide(request).whenComplete((gated, failure) -> exchange.eventLoop().execute(() -> {
                if (failure != null) {
                    log.error("could not record decisions for {} tool call(s) from agent '{}'; none released: {}",
                            completion.calls().size(), context.agent(), failure.toString());
                    exchange.fail(ApiError.decisionUnavailable());
                } else {
                    respondRewritten(exchange, context, head, completion, gated);
                }
            }));
        }

        @Override
        public void onError(UpstreamException error) {
            log.warn("upstream request for agent '{}' failed: {}", context.agent(), error.getMessage());
            exchange.fail(UpstreamErrors.toApiError(error));
        }
    }

    private void respondRewritten(Exchange exchange, CallContext context, HttpResponse head, ChatCompletion completion,
                              List<GatedCall> gated) {
        FullHttpResponse response;
        try {
            response = rewritten(head, completion, gated);
        } catch (RuntimeException bug) {
            log.error("internal error rewriting the answer for agent '{}'; nothing released", context.agent(), bug);
            exchange.fail(internalError());
            return;
        }
        exchange.respond(response);
    }

    private FullHttpResponse rewritten(HttpResponse head, ChatCompletion completion, List<GatedCall> gated) {
        DecisionSummary summary = new DecisionSummary(gated, publicUrl);
        byte[] body = ChatResponseRewriter.rewrite(completion, gated, summary, metadataField);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(),
                Unpooled.wrappedBuffer(body), ForwardedHeaders.toClient(head.headers(), false), EmptyHttpHeaders.INSTANCE);
        summary.addHeaders(response.headers());
        return response;
    }

    private static HttpResponse retryHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return head;
    }

    private static ApiError internalError() {
        return new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                "the gateway failed to decide the tool calls in this response, so none were released; see the gateway log");
    }

    static FullHttpResponse unchanged(HttpResponse head, ByteBuf body) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), body,
                ForwardedHeaders.toClient(head.headers(), false), EmptyHttpHeaders.INSTANCE);
    }
}
