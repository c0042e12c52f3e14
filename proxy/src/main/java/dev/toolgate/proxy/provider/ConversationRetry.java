package dev.toolgate.proxy.provider;

import dev.toolgate.policy.CallContext;
import dev.toolgate.proxy.server.Exchange;

/**
 * Answers a conversation the agent sends again while an approval covers it, without asking the
 * model; otherwise hands the request on.
 */
public interface ConversationRetry {

    /**
     * Cheap, on the event loop: false means no approval can concern this conversation. Reads the
     * digest only when some approval may still answer a conversation.
     */
    boolean mayApply(ConversationDigest conversationDigest);

    /** Answers on {@code exchange}, or runs {@code forward} (on the event loop) when no approval applies. */
    void answer(Exchange exchange, CallContext context, String conversationDigest, boolean stream, Runnable forward);
}
