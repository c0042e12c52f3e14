package dev.toolgate.proxy.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.Role;
import dev.toolgate.config.ThrottleRate;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.GatewayKeys;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.storage.AgentState;
import dev.toolgate.storage.BreakerState;
import dev.toolgate.storage.StorageException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker's management API: {@code GET /api/agents}, {@code GET /api/agents/:name/status}
 * and {@code POST /api/agents/:name/warn|throttle|halt|kill|resume} with an optional body
 * {@code {"reason": "...", "rate": "10/m"}}. Scoped to the caller's workspace; an agent key may
 * read its own status.
 */
public final class AgentEndpoints {
    private static final Logger log = LoggerFactory.getLogger(AgentEndpoints.class);

    private final AgentBreaker breaker;
    private final GatewayKeys keys;
    private final ThrottleRate defaultRate;
    private final BlockingExecutor blocking;

    public AgentEndpoints(AgentBreaker breaker, GatewayKeys keys, ThrottleRate defaultRate, BlockingExecutor blocking) {
        this.breaker = breaker;
        this.keys = keys;
        this.defaultRate = defaultRate;
        this.blocking = blocking;
    }

    /** {@code GET /api/agents}: every agent key of the workspace, and any other agent with a state, by name. */
    public void list(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        TreeSet<String> names = new TreeSet<>();
        keys.principals().stream().filter(key -> key.workspace().equals(workspace)).forEach(key -> names.add(key.name()));
        breaker.states(workspace).forEach(state -> names.add(state.agent()));
        ObjectNode body = Json.object();
        ArrayNode agents = body.putArray("agents");
        names.forEach(name -> agents.add(view(workspace, name)));
        exchange.respondJson(HttpResponseStatus.OK, body);
    }

    /** {@code GET /api/agents/:name/status}. */
    public void status(Exchange exchange) {
        Principal caller = exchange.principal();
        String name = exchange.pathParam("name");
        if (!caller.mayActAs(Role.ADMIN) && !caller.name().equals(name)) {
            throw new ApiError(HttpResponseStatus.FORBIDDEN, "FORBIDDEN",
                    "key '" + caller.name() + "' has role agent; it may read its own status only");
        }
        requireKnown(caller.workspace(), name);
        exchange.respondJson(HttpResponseStatus.OK, view(caller.workspace(), name));
    }

    /** {@code POST /api/agents/:name/<action>}: {@code action} one of warn, throttle, halt, kill, resume. */
    public Endpoint action(String action) {
        BreakerState state = switch (action) {
            case "warn" -> BreakerState.WARN;
            case "throttle" -> BreakerState.THROTTLE;
            case "halt" -> BreakerState.HALT;
            case "kill" -> BreakerState.KILLED;
            case "resume" -> BreakerState.MONITORING;
            default -> throw new IllegalArgumentException("breaker action: " + action);
        };
        return exchange -> change(exchange, state);
    }

    private void change(Exchange exchange, BreakerState state) {
        Principal admin = exchange.principal();
        String name = exchange.pathParam("name");
        String workspace = admin.workspace();
        requireKnown(workspace, name);
        if (state == BreakerState.KILLED && admin.name().equals(name)) {
            throw new ApiError(HttpResponseStatus.CONFLICT, "CANNOT_KILL_SELF",
                    "key '" + name + "' cannot kill itself: it would lock itself out; use another admin key");
        }
        JsonNode body = exchange.request().content().isReadable() ? readBody(exchange) : Json.object();
        String reason = RequestBodies.optionalText(body, "reason");
        ThrottleRate rate = defaultRate;
        String rateText = RequestBodies.optionalText(body, "rate");
        if (rateText != null) {
            if (state != BreakerState.THROTTLE) {
                throw ApiError.validation("rate applies to throttle only");
            }
            try {
                rate = ThrottleRate.parse(rateText);
            } catch (IllegalArgumentException e) {
                throw ApiError.validation("rate: " + e.getMessage());
            }
        }
        ThrottleRate chosen = rate;
        blocking.storageWork(() -> breaker.change(workspace, name, state, reason, "api:" + admin.name(), chosen, false))
                .whenComplete((changed, failure) -> {
                    if (failure == null) {
                        exchange.respondJson(HttpResponseStatus.OK, view(workspace, name));
                        return;
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    log.error("Could not move agent '{}' to {}: {}", name, state.value(), cause.toString());
                    exchange.fail(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                            "the gateway's storage could not record the change"
                                    + (cause instanceof StorageException ? " (" + cause.getMessage() + ")" : "") + "; retry later"));
                });
    }

    private static JsonNode readBody(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        return Json.readObject(exchange.request().content());
    }

    /** 404 unless {@code name} is a key of the workspace or an agent with a state there. */
    private void requireKnown(String workspace, String name) {
        boolean key = keys.principals().stream().anyMatch(p -> p.workspace().equals(workspace) && p.name().equals(name));
        if (!key && breaker.state(workspace, name).isEmpty()) {
            throw ApiError.notFound("no agent key '" + name + "' in workspace '" + workspace + "'");
        }
    }

    private ObjectNode view(String workspace, String name) {
        ObjectNode agent = Json.object().put("name", name);
        Optional<AgentState> found = breaker.state(workspace, name);
        agent.put("state", found.map(state -> state.state().value()).orElse(BreakerState.MONITORING.value()));
        found.ifPresent(state -> {
            agent.put("reason", state.reason());
            agent.put("changed_by", state.changedBy());
            agent.put("changed_at", state.changedAt().toString());
            if (state.state() == BreakerState.THROTTLE) {
                agent.put("throttle_rate", new ThrottleRate(state.throttleCalls(), state.throttlePer()).toString());
            }
        });
        agent.put("key_configured", keys.principals().stream().anyMatch(p -> p.workspace().equals(workspace) && p.name().equals(name)));
        return agent;
    }
}
