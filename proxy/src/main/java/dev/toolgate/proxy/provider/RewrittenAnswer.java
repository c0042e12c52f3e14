package dev.toolgate.proxy.provider;

import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.upstream.ForwardedHeaders;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.List;

/** The client's response for an answer whose calls were decided: rewritten body, upstream headers, decision headers. */
public final class RewrittenAnswer {
    private RewrittenAnswer() {
    }

    public static FullHttpResponse response(HttpResponse head, ToolCallFormat.Answer answer, List<GatedCall> gated,
                                            String metadataField, URI publicUrl) {
        return response(head, answer, null, gated, metadataField, publicUrl);
    }

    /**
     * As above; {@code verbatim}: the upstream's bytes when they may be sent with the metadata added
     * ({@link UpstreamAnswer#verbatim}, kept only for formats whose rewriter adds nothing else once
     * every call is released), else null.
     */
    public static FullHttpResponse response(HttpResponse head, ToolCallFormat.Answer answer, byte[] verbatim,
                                            List<GatedCall> gated, String metadataField, URI publicUrl) {
        DecisionSummary summary = new DecisionSummary(gated, publicUrl);
        byte[] body = null;
        if (verbatim != null && gated.stream().allMatch(call -> call.decision().releases())) {
            body = MetadataSplice.splice(verbatim, metadataField, summary.metadata());
        }
        if (body == null) {
            body = answer.rewrite(gated, summary, metadataField);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), Unpooled.wrappedBuffer(body),
                ForwardedHeaders.toClient(head.headers(), false), EmptyHttpHeaders.INSTANCE);
        summary.addHeaders(response.headers());
        return response;
    }
}
