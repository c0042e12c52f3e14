package dev.toolgate.proxy.stream;

import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import java.util.concurrent.CompletableFuture;

/**
 * Decides one complete tool call from a stream with the shared evaluator, holding it for approval
 * or auditing it as needed. The future completes once the decision is committed and fails when it
 * cannot be, in which case the call must not be released.
 */
public interface StreamCallDecider {

    /**
     * @param assistantMessage the call as a Chat Completions assistant message (JSON), kept with a
     *     held call so that an approved call can be replayed exactly
     */
    CompletableFuture<GatedCall> decide(ToolCall call, String assistantMessage);

    /**
     * Records a decision the stream made itself (arguments over the size limit, blocked unread) so
     * that it is audited like any other; completes once recorded.
     */
    default CompletableFuture<GatedCall> record(GatedCall decided) {
        return CompletableFuture.completedFuture(decided);
    }
}
