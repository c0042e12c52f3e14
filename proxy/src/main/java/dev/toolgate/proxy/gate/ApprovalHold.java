package dev.toolgate.proxy.gate;

import dev.toolgate.policy.CallContext;

/**
 * What the gate asks for a call the policy says needs a person: it comes back held (with its
 * approval id), released (an earlier approval of the same call granted it) or refused (denied or
 * expired). Implemented by the approval lifecycle; it blocks on storage, so the gate calls it on
 * the blocking executor only.
 *
 * @param assistantMessage the assistant message (JSON) the call came in, kept for an exact replay; or null
 * @param conversationDigest digest of the request's conversation, or null
 */
@FunctionalInterface
public interface ApprovalHold {
    GatedCall hold(GatedCall call, CallContext context, String assistantMessage, String conversationDigest);
}
