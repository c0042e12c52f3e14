package dev.toolgate.proxy.api;

import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.IncidentStore;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /api/reports/audit.md?since=&until=}: the caller's workspace's {@link AuditReport} as a
 * Markdown download. {@code until} defaults to now and {@code since} to seven days before it.
 */
public final class AuditReportEndpoint implements Endpoint {
    private static final Duration DEFAULT_RANGE = Duration.ofDays(7);
    /** A report reads the whole range and verifies the chain, which a long audit may need minutes for. */
    private static final Duration REPORT_TIMEOUT = Duration.ofMinutes(10);

    private final AuditReport report;
    private final Blocking blocking;
    private final Clock clock;

    public AuditReportEndpoint(AuditLog auditLog, IncidentStore incidents, BlockingExecutor executor, Clock clock) {
        this.report = new AuditReport(auditLog, incidents);
        this.blocking = new Blocking(executor);
        this.clock = clock;
    }

    @Override
    public void serve(Exchange exchange) {
        Instant now = clock.instant();
        Instant until = ListParams.until(exchange);
        until = until == null ? now : until;
        Instant since = ListParams.since(exchange);
        since = since == null ? until.minus(DEFAULT_RANGE) : since;
        if (!since.isBefore(until)) {
            throw ApiError.badRequest("INVALID_PARAMETER", "since=" + since + " is not before until=" + until);
        }
        String workspace = exchange.principal().workspace();
        Instant from = since;
        Instant to = until;
        blocking.respond(exchange, REPORT_TIMEOUT, () -> new Blocking.Answer(HttpResponseStatus.OK,
                new Blocking.Text("text/markdown; charset=utf-8", report.write(workspace, from, to, now)),
                Map.of("Content-Disposition", "attachment; filename=\"toolgate-audit.md\"")));
    }
}
