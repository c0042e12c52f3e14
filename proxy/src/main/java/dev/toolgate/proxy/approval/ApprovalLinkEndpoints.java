package dev.toolgate.proxy.approval;

import dev.toolgate.config.LinkMode;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import io.netty.handler.codec.http.FullHttpResponse;
import java.time.Clock;
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

    /** {@code POST /api/<action>/:token}: the decision (the confirm page's button). */
    public Endpoint decide(String action) {
        return exchange -> respond(exchange, () -> follow(exchange, action));
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
