package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.approval.Approvals;
import dev.toolgate.proxy.approval.NotificationSettings;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestsInFlight;
import dev.toolgate.proxy.server.Route.Access;
import dev.toolgate.proxy.server.Router;
import dev.toolgate.storage.Storage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/** Registers the management API (PRODUCT.md §6) on the router. */
public final class ManagementApi {
    private ManagementApi() {
    }

    /** What the endpoints work with. */
    public record Services(ToolCallGate gate, KillSwitch killSwitch, RuleBook rules, Approvals approvals,
                           NotificationSettings notificationSettings, Storage storage, Redactor redactor,
                           BlockingExecutor blocking, URI publicUrl, Clock clock, RequestsInFlight inFlight) {
    }

    public static void register(Router router, Services services) {
        LogsEndpoints logs = new LogsEndpoints(services.storage().auditLog(), services.blocking());
        BlockedToolsEndpoints blocked = new BlockedToolsEndpoints(services.killSwitch(), services.blocking());
        PendingApprovalsEndpoints pending = new PendingApprovalsEndpoints(services.storage(), services.approvals(),
                services.redactor(), services.blocking());
        NotificationSettingsEndpoints notifications = new NotificationSettingsEndpoints(services.notificationSettings(),
                services.blocking());
        ApprovalRulesEndpoints rules = new ApprovalRulesEndpoints(services.rules(), services.blocking(), services.clock());
        router.add(HttpMethod.GET, "/healthz", Access.PUBLIC, exchange -> exchange.respondJson(HttpResponseStatus.OK,
                        Json.object().put("status", "ok")))
                .add(HttpMethod.GET, "/readyz", Access.PUBLIC, exchange -> ready(exchange, services))
                .add(HttpMethod.POST, "/api/intercept", Access.AGENT, new InterceptEndpoint(services.gate(), services.publicUrl(),
                        new IdempotentAnswers(services.storage().idempotency(), services.blocking(), services.clock(),
                                idempotencyLease(services.blocking()))))
                .add(HttpMethod.GET, "/api/logs", Access.ADMIN, logs::list)
                .add(HttpMethod.GET, "/api/logs/export", Access.ADMIN, logs::export)
                .add(HttpMethod.GET, "/api/audit/verify", Access.ADMIN,
                        new AuditVerifyEndpoint(services.storage().auditLog(), services.blocking()))
                .add(HttpMethod.GET, "/api/stats", Access.ADMIN, logs::stats)
                .add(HttpMethod.GET, "/api/blocked-tools", Access.ADMIN, blocked::list)
                .add(HttpMethod.POST, "/api/blocked-tools", Access.ADMIN, blocked::add)
                .add(HttpMethod.DELETE, "/api/blocked-tools/:tool_name", Access.ADMIN, blocked::remove)
                .add(HttpMethod.GET, "/api/pending-approvals", Access.ADMIN, pending::list)
                .add(HttpMethod.GET, "/api/pending-approvals/:id", Access.AGENT, pending::get)
                .add(HttpMethod.POST, "/api/pending-approvals/:id/decide", Access.ADMIN, pending::decide)
                .add(HttpMethod.GET, "/api/notification-settings", Access.ADMIN, notifications::get)
                .add(HttpMethod.PUT, "/api/notification-settings", Access.ADMIN, notifications::put)
                .add(HttpMethod.GET, "/api/approval-rules", Access.ADMIN, rules::list)
                .add(HttpMethod.POST, "/api/approval-rules", Access.ADMIN, rules::create)
                .add(HttpMethod.DELETE, "/api/approval-rules/:id", Access.ADMIN, rules::delete);
    }

    /**
     * How long an unanswered idempotency claim holds its key: a decision waits for storage at most
     * twice (holding the call, committing its event), so a claim older than that and a margin
     * belongs to an instance that stopped.
     */
    private static Duration idempotencyLease(BlockingExecutor blocking) {
        return blocking.storageTimeout().multipliedBy(2).plusSeconds(5);
    }

    /**
     * Ready to take traffic from a load balancer: not shutting down, the database answering within
     * the storage timeout, its schema at least as new as this build's migrations, and the rules
     * loaded (they are before the server starts). A probe of a hanging database gets its 503 at the
     * timeout instead of hanging with it. Not logged: probes come every few seconds, and the
     * decision path already reports an outage.
     */
    private static void ready(Exchange exchange, Services services) {
        if (services.inFlight().draining()) {
            exchange.fail(notReady("the gateway is shutting down"));
            return;
        }
        services.blocking().storageWork(() -> services.storage().schemaVersion()).whenComplete((schema, failure) -> {
            if (failure != null) {
                exchange.fail(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                        "the gateway's storage did not answer within its timeout"));
            } else if (!schema.upToDate()) {
                exchange.fail(notReady("the database schema is at version " + schema.current() + "; this gateway needs "
                        + schema.required() + " (it migrates at startup: restart it, or see which instance failed to)"));
            } else {
                ObjectNode body = Json.object().put("status", "ready");
                ObjectNode checks = body.putObject("checks");
                checks.put("database", "ok");
                checks.put("schema_version", schema.current());
                checks.put("rules", services.rules().configured().size());
                exchange.respondJson(HttpResponseStatus.OK, body);
            }
        });
    }

    private static ApiError notReady(String why) {
        return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "NOT_READY", why);
    }
}
