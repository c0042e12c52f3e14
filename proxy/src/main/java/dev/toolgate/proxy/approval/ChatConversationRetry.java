package dev.toolgate.proxy.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.openai.chat.ChatCompletion;
import dev.toolgate.proxy.openai.chat.ChatFormat;
import dev.toolgate.proxy.openai.chat.ChatResponseRewriter;
import dev.toolgate.proxy.provider.ConversationDigest;
import dev.toolgate.proxy.provider.ConversationRetry;
import dev.toolgate.proxy.provider.ModelEndpoint;
import dev.toolgate.proxy.provider.RewrittenAnswer;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.storage.PendingApproval;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat Completions retries answered from approvals, without asking the model: the answer the agent
 * got the first time, decided again, so an approved call is released exactly as proposed (same id,
 * same arguments) once, a pending one keeps its approval id beside the calls that were allowed, and
 * a refused one is blocked. Streamed requests get the same answer as a short event stream.
 */
public final class ChatConversationRetry implements ConversationRetry {
    private static final Logger log = LoggerFactory.getLogger(ChatConversationRetry.class);

    private final Approvals approvals;
    private final LiveConversations live;
    private final ToolCallGate gate;
    private final BlockingExecutor blocking;
    private final Clock clock;
    private final String metadataField;
    private final URI publicUrl;

    public ChatConversationRetry(Approvals approvals, LiveConversations live, ToolCallGate gate, BlockingExecutor blocking,
                                 Clock clock, String metadataField, URI publicUrl) {
        this.approvals = approvals;
        this.live = live;
        this.gate = gate;
        this.blocking = blocking;
        this.clock = clock;
        this.metadataField = metadataField;
        this.publicUrl = publicUrl;
    }

    @Override
    public boolean mayApply(ConversationDigest conversationDigest) {
        return !live.isEmpty() && live.mayHaveApproval(conversationDigest.get());
    }

    private record Retried(ChatCompletion completion, List<GatedCall> calls) {
    }

    @Override
    public void answer(Exchange exchange, CallContext context, String conversationDigest, boolean stream, Runnable forward) {
        blocking.storageWork(() -> approvals.forConversation(context, conversationDigest).filter(approvals::stillSettles))
                .thenCompose(approval -> approval.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.<Retried>empty())
                        : decideAgain(approval.get(), context, conversationDigest).thenApply(Optional::of))
                .whenComplete((answer, failure) -> exchange.eventLoop().execute(() -> {
                    if (!exchange.clientConnected()) {
                        return;
                    }
                    if (failure != null) {
                        log.error("could not check approvals for a retried conversation from agent '{}'; nothing released: {}",
                                context.agent(), failure.toString());
                        exchange.fail(ApiError.decisionUnavailable());
                    } else if (answer.isEmpty()) {
                        forward.run();
                    } else {
                        respond(exchange, context, answer.get(), stream);
                    }
                }));
    }

    /**
     * The first answer again: every call of the stored assistant message goes through the gate, so
     * the calls allowed the first time are allowed (and audited) again, and the held ones are
     * settled by their approvals: the same approval id while pending, released once approved,
     * blocked once refused.
     */
    private CompletableFuture<Retried> decideAgain(PendingApproval approval, CallContext context, String conversationDigest) {
        ChatCompletion completion = ApprovalRetry.completionFor(approval, context.model(), clock.instant());
        ToolCallFormat.Answer answer = ChatFormat.answerOf(completion);
        ToolCallGate.Request request = new ToolCallGate.Request(context, "proxy", answer.calls(),
                () -> new ToolCallGate.Replay(answer.assistantMessages(), conversationDigest), null, 0);
        return gate.decide(request).thenApply(gated -> new Retried(completion, gated));
    }

    private void respond(Exchange exchange, CallContext context, Retried retried, boolean stream) {
        try {
            exchange.respond(stream ? streamed(retried) : RewrittenAnswer.response(JSON_HEAD, ChatFormat.answerOf(retried.completion()),
                    retried.calls(), metadataField, publicUrl));
        } catch (RuntimeException bug) {
            log.error("internal error answering a retried conversation for agent '{}'; nothing released", context.agent(), bug);
            exchange.fail(ModelEndpoint.internalError());
        }
    }

    /** The same answer as a Chat Completions event stream: one chunk with the message, one finishing it, the metadata, [DONE]. */
    private FullHttpResponse streamed(Retried retried) {
        DecisionSummary summary = new DecisionSummary(retried.calls(), publicUrl);
        ChatResponseRewriter.rewrite(retried.completion(), retried.calls(), summary, metadataField);
        ObjectNode root = retried.completion().root();
        JsonNode choice = root.path("choices").get(0);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ObjectNode first = chunk(root);
        ObjectNode delta = ((ArrayNode) first.get("choices")).addObject().put("index", 0).putObject("delta");
        delta.put("role", "assistant");
        delta.set("content", choice.path("message").path("content"));
        JsonNode toolCalls = choice.path("message").path("tool_calls");
        if (toolCalls.isArray()) {
            ArrayNode indexed = delta.putArray("tool_calls");
            for (int i = 0; i < toolCalls.size(); i++) {
                indexed.addObject().put("index", i).setAll((ObjectNode) toolCalls.get(i));
            }
        }
        ((ObjectNode) first.get("choices").get(0)).putNull("finish_reason");
        ObjectNode last = chunk(root);
        ((ArrayNode) last.get("choices")).addObject().put("index", 0).putObject("delta");
        ((ObjectNode) last.get("choices").get(0)).set("finish_reason", choice.path("finish_reason"));
        ObjectNode metadata = chunk(root);
        metadata.set(metadataField, root.get(metadataField));
        for (ObjectNode chunk : List.of(first, last, metadata)) {
            body.writeBytes(SseEvent.data(Json.text(chunk)).raw());
        }
        body.writeBytes(SseEvent.data("[DONE]").raw());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body.toByteArray()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        summary.addHeaders(response.headers());
        return response;
    }

    private static ObjectNode chunk(ObjectNode completion) {
        ObjectNode chunk = Json.object();
        chunk.set("id", completion.get("id"));
        chunk.put("object", "chat.completion.chunk");
        chunk.set("created", completion.get("created"));
        chunk.set("model", completion.get("model"));
        chunk.putArray("choices");
        return chunk;
    }

    private static final HttpResponse JSON_HEAD = jsonHead();

    private static HttpResponse jsonHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return head;
    }
}
