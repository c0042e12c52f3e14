package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.AuditPage;
import dev.toolgate.storage.AuditQuery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /api/logs}, {@code GET /api/logs/export} (CSV) and {@code GET /api/stats}. */
public final class LogsEndpoints {
    private static final Logger log = LoggerFactory.getLogger(LogsEndpoints.class);
    private static final int EXPORT_BATCH = 500;

    private final AuditLog auditLog;
    private final BlockingExecutor executor;
    private final Blocking blocking;

    LogsEndpoints(AuditLog auditLog, BlockingExecutor executor) {
        this.auditLog = auditLog;
        this.executor = executor;
        this.blocking = new Blocking(executor);
    }

    /** Newest first, filtered and paged. */
    public void list(Exchange exchange) {
        AuditQuery query = ListParams.auditQuery(exchange);
        blocking.respond(exchange, () -> Blocking.Answer.ok(logs(auditLog.query(query))));
    }

    /** The body of {@code GET /api/logs} for one page of events. */
    public static ObjectNode logs(AuditPage page) {
        ObjectNode body = Json.object();
        ArrayNode logs = body.putArray("logs");
        page.events().forEach(event -> logs.add(AuditEventJson.of(event)));
        body.put("total", page.total());
        body.put("page", page.page());
        body.put("limit", page.limit());
        return body;
    }

    /** Counts by status, optionally since a time. */
    public void stats(Exchange exchange) {
        Instant since = ListParams.since(exchange);
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> Blocking.Answer.ok(stats(auditLog.countByDecision(workspace, since), since)));
    }

    /** The body of {@code GET /api/stats}: counts by decision, since {@code since} when not null. */
    public static ObjectNode stats(Map<String, Long> counts, Instant since) {
        ObjectNode body = Json.object();
        body.put("total", counts.values().stream().mapToLong(Long::longValue).sum());
        for (String decision : List.of("allowed", "warned", "blocked", "pending", "approved", "denied", "expired")) {
            body.put(decision, counts.getOrDefault(decision, 0L));
        }
        if (since != null) {
            body.put("since", since.toString());
        }
        return body;
    }

    /**
     * Streams every matching event as CSV, newest first, one batch at a time: the next batch is
     * read only when the previous one is written, so a large export neither fills the heap nor
     * outruns a slow client.
     */
    public void export(Exchange exchange) {
        AuditQuery filters = ListParams.auditQuery(exchange);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8");
        head.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"toolgate-audit.csv\"");
        executor.storageWork(() -> auditLog.queryBefore(filters, Long.MAX_VALUE, EXPORT_BATCH))
                .whenComplete((first, failure) -> exchange.eventLoop().execute(() -> {
                    if (failure != null) {
                        log.error("audit export failed before the first row", failure);
                        exchange.fail(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                                "the audit log could not be read; retry later"));
                        return;
                    }
                    exchange.startStream(head);
                    writeBatch(exchange, filters, CsvRows.HEADER, first);
                }));
    }

    private void writeBatch(Exchange exchange, AuditQuery filters, String prefix, List<AuditEvent> batch) {
        if (!exchange.clientConnected()) {
            return;
        }
        StringBuilder text = new StringBuilder(prefix);
        batch.forEach(event -> text.append(CsvRows.row(event)));
        ByteBuf chunk = ByteBufUtil.writeUtf8(exchange.context().alloc(), text);
        if (batch.size() < EXPORT_BATCH) {
            exchange.endStream(chunk);
            return;
        }
        long nextBefore = batch.get(batch.size() - 1).id();
        exchange.writeChunk(chunk).addListener(written -> {
            if (!written.isSuccess()) {
                return;
            }
            executor.storageWork(() -> auditLog.queryBefore(filters, nextBefore, EXPORT_BATCH))
                    .whenComplete((next, failure) -> exchange.eventLoop().execute(() -> {
                        if (failure != null) {
                            log.error("audit export failed part-way; the client sees a cut-off download", failure);
                            exchange.abortStream("audit log read failed");
                        } else {
                            writeBatch(exchange, filters, "", next);
                        }
                    }));
        });
    }
}
