package dev.toolgate.proxy.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.provider.ConversationDigest;
import dev.toolgate.proxy.provider.ConversationRetry;
import dev.toolgate.proxy.provider.ModelEndpoint;
import dev.toolgate.proxy.provider.ReplayFormat;
import dev.toolgate.proxy.provider.RewrittenAnswer;
import dev.toolgate.proxy.provider.ToolCallFormat;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.PendingApproval;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries answered from approvals, without asking the model: the answer the agent got the first
 * time, rebuilt in the route's format ({@link ReplayFormat}) from the stored assistant message and
 * decided again, so an approved call is released exactly as proposed (same id, same arguments)
 * once, a pending one keeps its approval id beside the calls that were allowed, and a refused one is
 * blocked. Streamed requests get the same answer as the format's short event stream.
 */
public final class ApprovedConversationRetry implements ConversationRetry {
    private static final Logger log = LoggerFactory.getLogger(ApprovedConversationRetry.class);

    private final Approvals approvals;
    private final LiveConversations live;
    private final ToolCallGate gate;
    private final BlockingExecutor blocking;
    private final Clock clock;
    private final String metadataField;
    private final URI publicUrl;
    private final ReplayFormat replay;

    public ApprovedConversationRetry(Approvals approvals, LiveConversations live, ToolCallGate gate, BlockingExecutor blocking,
                                     Clock clock, String metadataField, URI publicUrl, ReplayFormat replay) {
        this.approvals = approvals;
        this.live = live;
        this.gate = gate;
        this.blocking = blocking;
        this.clock = clock;
        this.metadataField = metadataField;
        this.publicUrl = publicUrl;
        this.replay = replay;
    }

    @Override
    public boolean mayApply(ConversationDigest conversationDigest) {
        return !live.isEmpty() && live.mayHaveApproval(conversationDigest.get());
    }

    private record Retried(ToolCallFormat.Answer answer, List<GatedCall> calls) {
    }

    @Override
    public void answer(Exchange exchange, CallContext context, String conversationDigest, boolean stream, Runnable forward) {
        blocking.storageWork(() -> approvals.forConversation(context, conversationDigest).filter(approvals::stillSettles)
                        .flatMap(approval -> rebuilt(approval, context)))
                .thenCompose(answer -> answer.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.<Retried>empty())
                        : decideAgain(answer.get(), context, conversationDigest).thenApply(Optional::of))
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

    private Optional<ToolCallFormat.Answer> rebuilt(PendingApproval approval, CallContext context) {
        ObjectNode message = ApprovalRetry.originalMessage(approval);
        return replay.answer(message, approval.id(), context.model(), clock.instant()).map(root -> replay.format().read(root));
    }

    /** The first answer again, every call through the gate: allowed ones allowed again, held ones settled by their approvals. */
    private CompletableFuture<Retried> decideAgain(ToolCallFormat.Answer answer, CallContext context, String conversationDigest) {
        ToolCallGate.Request request = new ToolCallGate.Request(context, "proxy", answer.calls(),
                () -> new ToolCallGate.Replay(answer.assistantMessages(), conversationDigest), null, 0);
        return gate.decide(request).thenApply(gated -> new Retried(answer, gated));
    }

    private void respond(Exchange exchange, CallContext context, Retried retried, boolean stream) {
        try {
            exchange.respond(stream ? streamed(retried)
                    : RewrittenAnswer.response(JSON_HEAD, retried.answer(), retried.calls(), metadataField, publicUrl));
        } catch (RuntimeException bug) {
            log.error("internal error answering a retried conversation for agent '{}'; nothing released", context.agent(), bug);
            exchange.fail(ModelEndpoint.internalError());
        }
    }

    private FullHttpResponse streamed(Retried retried) {
        DecisionSummary summary = new DecisionSummary(retried.calls(), publicUrl);
        ObjectNode rewritten = Json.readObject(Unpooled.wrappedBuffer(retried.answer().rewrite(retried.calls(), summary, metadataField)));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(replay.stream(rewritten, metadataField)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        summary.addHeaders(response.headers());
        return response;
    }

    private static final HttpResponse JSON_HEAD = jsonHead();

    private static HttpResponse jsonHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return head;
    }
}
