package dev.toolgate.proxy.stream;

import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import java.util.concurrent.CompletableFuture;

/**
 * Decides one complete tool call from a stream through the shared gate, holding it for approval
 * or auditing it as needed. The future completes once the decision is committed and fails when it
 * cannot be, in which case the call must not be released.
 */
public interface StreamCallDecider {

    /**
     * @param assistantMessage the call as a Chat Completions assistant message (JSON), kept with a
     *     held call so that an approved call can be replayed exactly; null for a call whose arguments were dropped
     * @param argumentsDropped the call's arguments passed the size limit while it streamed and were
     *     never held ({@link dev.toolgate.proxy.arguments.HeldArguments}): the gate blocks it as too large
     */
    CompletableFuture<GatedCall> decide(ToolCall call, String assistantMessage, boolean argumentsDropped);
}
