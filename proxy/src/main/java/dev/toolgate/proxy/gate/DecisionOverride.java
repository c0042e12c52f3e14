package dev.toolgate.proxy.gate;

import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.ToolCall;

/**
 * Has the last word on a call's decision once the rules (and the judge) made it, before it is
 * held or audited: an agent's circuit breaker holds, blocks or flags the calls of an agent it
 * stopped trusting. Called on the deciding thread for every call, so it must be quick and must not
 * block; it returns {@code decided} itself when it has nothing to add.
 */
@FunctionalInterface
public interface DecisionOverride {
    Decision override(CallContext context, ToolCall call, Decision decided);
}
