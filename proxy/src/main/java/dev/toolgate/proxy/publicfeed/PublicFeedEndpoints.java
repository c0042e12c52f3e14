package dev.toolgate.proxy.publicfeed;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.AddressRateLimits;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;

/**
 * {@code GET /public/live/status} and {@code GET /public/live/feed?limit=}: no key, rate limited per
 * client address, cacheable for a few seconds. A 404 while {@code public_feed.enabled} is false.
 * Every field is written here by name from a {@link PublicEntry}: arguments, reasons, rule ids,
 * approval ids, keys and notes never reach these answers.
 */
public final class PublicFeedEndpoints {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    static final String CACHE_CONTROL = "public, max-age=5";

    private final PublicFeed feed;
    private final AddressRateLimits rateLimits;
    private final Clock clock;

    public PublicFeedEndpoints(PublicFeed feed, AddressRateLimits rateLimits, Clock clock) {
        this.feed = feed;
        this.rateLimits = rateLimits;
        this.clock = clock;
    }

    /** {@code GET /public/live/status}: each allow-listed agent, active or quiet, and its last decision. */
    public void status(Exchange exchange) {
        admit(exchange);
        ObjectNode json = Json.object();
        json.put("generated_at", clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        ArrayNode agents = json.putArray("agents");
        for (PublicFeed.AgentStatus status : feed.statuses()) {
            ObjectNode agent = agents.addObject();
            agent.put("agent", status.agent());
            agent.put("status", status.status());
            agent.put("last_action", status.last() == null ? null : status.last().tool());
            agent.put("last_decision", status.last() == null ? null : status.last().decision());
            agent.put("last_decision_at", status.last() == null ? null : status.last().time().toString());
            if (status.breaker() != null) {
                agent.put("breaker", status.breaker());
            }
        }
        respond(exchange, json);
    }

    /** {@code GET /public/live/feed?limit=}: the newest decisions of the allow-listed agents (20 by default, at most 100). */
    public void feed(Exchange exchange) {
        admit(exchange);
        int limit = limit(exchange.param("limit"));
        ObjectNode json = Json.object();
        ArrayNode events = json.putArray("events");
        for (PublicEntry entry : feed.recent(limit)) {
            ObjectNode event = events.addObject();
            event.put("agent", entry.agent());
            event.put("tool", entry.tool());
            event.put("decision", entry.decision());
            event.put("time", entry.time().toString());
            if (entry.amount() != null) {
                event.put("amount", entry.amount());
            }
        }
        respond(exchange, json);
    }

    private void admit(Exchange exchange) {
        if (!feed.enabled()) {
            throw ApiError.notFound("no route for " + exchange.path());
        }
        rateLimits.take(exchange);
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1) {
                return Math.min(limit, MAX_LIMIT);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.badRequest("INVALID_PARAMETER", "limit=" + text + " (expected: a number from 1 to " + MAX_LIMIT + ")");
    }

    private static void respond(Exchange exchange, ObjectNode json) {
        FullHttpResponse response = Exchange.jsonResponse(HttpResponseStatus.OK, Json.bytes(json));
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL);
        exchange.respond(response);
    }
}
