package dev.toolgate.proxy.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.LinkMode;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.StandingApproval;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|POST /api/approve/:token} and {@code /api/deny/:token}: public, guarded by the
 * token. In confirm mode (the default) a GET only shows the call and a button that POSTs, so a
 * mail scanner that prefetches links decides nothing; in direct mode the GET decides.
 */
public final class ApprovalLinkEndpoints {
    private static final Logger log = LoggerFactory.getLogger(ApprovalLinkEndpoints.class);

    private final Approvals approvals;
    private final BlockingExecutor blocking;
    private final ApprovalPages pages;
    private final LinkMode mode;
    private final Clock clock;

    public ApprovalLinkEndpoints(Approvals approvals, BlockingExecutor blocking, Redactor redactor, LinkMode mode, Clock clock) {
        this.approvals = approvals;
        this.blocking = blocking;
        this.pages = new ApprovalPages(redactor);
        this.mode = mode;
        this.clock = clock;
    }

    /** {@code GET /api/<action>/:token}: the confirm page, or in direct mode the decision itself. */
    public Endpoint open(String action) {
        return exchange -> respond(exchange, () -> mode == LinkMode.DIRECT ? follow(exchange, action) : inspect(exchange, action));
    }

    /**
     * {@code POST /api/<action>/:token}: the decision (the confirm page's button); an approval may
     * carry the page's standing-approval fields ({@code standing_minutes}, {@code standing_calls},
     * {@code standing_bounds}), checked before anything is decided.
     */
    public Endpoint decide(String action) {
        return exchange -> {
            Map<String, List<String>> form = action.equals("approve") ? form(exchange) : Map.of();
            respond(exchange, () -> follow(exchange, action, form));
        };
    }

    private static Map<String, List<String>> form(Exchange exchange) {
        String type = exchange.request().headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return Map.of();
        }
        return new QueryStringDecoder(exchange.request().content().toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
                .parameters();
    }

    private FullHttpResponse follow(Exchange exchange, String action, Map<String, List<String>> form) {
        String minutes = field(form, "standing_minutes");
        if (minutes.isEmpty()) {
            return follow(exchange, action);
        }
        Approvals.LinkState state = approvals.inspect(exchange.pathParam("token"), action);
        if (!(state instanceof Approvals.LiveLink live)) {
            return notLive(state);
        }
        StandingApprovals.Request request;
        StandingBounds bounds;
        try {
            request = StandingApprovals.Request.of(standingJson(minutes, field(form, "standing_calls"), field(form, "standing_bounds")));
            bounds = request.boundsFor(live.approval());
        } catch (IllegalArgumentException invalid) {
            return pages.invalidStanding(invalid.getMessage());
        }
        Approvals.LinkState followed = approvals.follow(exchange.pathParam("token"), action);
        if (followed instanceof Approvals.LiveLink decided) {
            StandingApproval grant = approvals.standing().grant(decided.approval(), request, bounds, decided.approval().decidedBy());
            return pages.decided(decided.approval(), approvals.ruleText(decided.approval()), grant);
        }
        return notLive(followed);
    }

    private static String field(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0).trim();
    }

    /** The form's fields as the API's {@code standing} object, so both are validated alike. */
    private static ObjectNode standingJson(String minutes, String calls, String bounds) {
        ObjectNode standing = Json.object();
        standing.set("minutes", number("standing_minutes", minutes));
        if (!calls.isEmpty()) {
            standing.set("calls", number("standing_calls", calls));
        }
        if (!bounds.isEmpty()) {
            try {
                standing.set("bounds", Json.MAPPER.readTree(bounds));
            } catch (IOException notJson) {
                throw new IllegalArgumentException("standing.bounds: not JSON (expected: an object such as {\"amount\":{\"max\":1000}})");
            }
        }
        return standing;
    }

    private static JsonNode number(String field, String value) {
        try {
            return Json.MAPPER.getNodeFactory().numberNode(Integer.parseInt(value));
        } catch (NumberFormatException notNumber) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: a whole number)");
        }
    }

    private FullHttpResponse inspect(Exchange exchange, String action) {
        Approvals.LinkState state = approvals.inspect(exchange.pathParam("token"), action);
        if (state instanceof Approvals.LiveLink live) {
            return pages.confirm(live.approval(), approvals.ruleText(live.approval()), action);
        }
        return notLive(state);
    }

    private FullHttpResponse follow(Exchange exchange, String action) {
        Approvals.LinkState state = approvals.follow(exchange.pathParam("token"), action);
        if (state instanceof Approvals.LiveLink decided) {
            return pages.decided(decided.approval(), approvals.ruleText(decided.approval()));
        }
        return notLive(state);
    }

    private FullHttpResponse notLive(Approvals.LinkState state) {
        if (state instanceof Approvals.DeadLink dead) {
            return pages.dead(dead.approval(), approvals.ruleText(dead.approval()), clock.instant());
        }
        return pages.unknown();
    }

    private void respond(Exchange exchange, Supplier<FullHttpResponse> page) {
        blocking.storageWork(page).whenComplete((response, failure) -> {
            if (failure != null) {
                log.error("approval link could not be served; nothing was decided", failure);
                exchange.respond(pages.unavailable());
            } else {
                exchange.respond(response);
            }
        });
    }
}
