package dev.toolgate.proxy.api;

import dev.toolgate.proxy.BlockingExecutor;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Route.Access;
import dev.toolgate.proxy.server.Router;
import dev.toolgate.storage.Storage;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;

/** Registers the management API (PRODUCT.md §6) on the router. */
public final class ManagementApi {
    private ManagementApi() {
    }

    public static void register(Router router, ToolCallGate gate, KillSwitch killSwitch, Storage storage,
                                BlockingExecutor blockingExecutor, URI publicUrl) {
        LogsEndpoints logs = new LogsEndpoints(storage.auditLog(), blockingExecutor);
        BlockedToolsEndpoints blocked = new BlockedToolsEndpoints(killSwitch, blockingExecutor);
        Blocking blocking = new Blocking(blockingExecutor);
        router.add(HttpMethod.GET, "/healthz", Access.PUBLIC, exchange -> blocking.respond(exchange, () -> {
                    storage.ping();
                    return Blocking.Answer.ok(Json.object().put("status", "ok"));
                }))
                .add(HttpMethod.POST, "/api/intercept", Access.AGENT, new InterceptEndpoint(gate, publicUrl))
                .add(HttpMethod.GET, "/api/logs", Access.ADMIN, logs::list)
                .add(HttpMethod.GET, "/api/logs/export", Access.ADMIN, logs::export)
                .add(HttpMethod.GET, "/api/stats", Access.ADMIN, logs::stats)
                .add(HttpMethod.GET, "/api/blocked-tools", Access.ADMIN, blocked::list)
                .add(HttpMethod.POST, "/api/blocked-tools", Access.ADMIN, blocked::add)
                .add(HttpMethod.DELETE, "/api/blocked-tools/:tool_name", Access.ADMIN, blocked::remove);
    }
}
