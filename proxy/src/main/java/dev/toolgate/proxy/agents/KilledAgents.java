package dev.toolgate.proxy.agents;

import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.proxy.server.RequestStep;
import dev.toolgate.proxy.server.Route;
import dev.toolgate.storage.AgentState;
import dev.toolgate.storage.BreakerState;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Optional;

/**
 * Refuses every request of a killed agent key with 403 {@code AGENT_KILLED}, on every route, until
 * an admin resumes it. Runs after authentication (it needs the key's name); a map lookup, no I/O.
 */
public final class KilledAgents implements RequestStep {
    private final AgentBreaker breaker;

    public KilledAgents(AgentBreaker breaker) {
        this.breaker = breaker;
    }

    @Override
    public void handle(Exchange exchange, Route route, Chain next) throws Exception {
        Principal principal = exchange.principal();
        if (principal != null) {
            Optional<AgentState> state = breaker.state(principal.workspace(), principal.name());
            if (state.isPresent() && state.get().state() == BreakerState.KILLED) {
                AgentState killed = state.get();
                throw new ApiError(HttpResponseStatus.FORBIDDEN, "AGENT_KILLED", "key '" + principal.name() + "' was killed by "
                        + killed.changedBy() + " at " + killed.changedAt()
                        + (killed.reason() == null || killed.reason().isBlank() ? "" : " (" + killed.reason() + ")")
                        + "; an admin must resume it: POST /api/agents/" + principal.name() + "/resume");
            }
        }
        next.proceed(exchange, route);
    }
}
