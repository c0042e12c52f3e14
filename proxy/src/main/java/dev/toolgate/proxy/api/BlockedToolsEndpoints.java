package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.storage.BlockedTool;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The kill switch: {@code GET|POST /api/blocked-tools}, {@code DELETE /api/blocked-tools/:tool_name}. */
public final class BlockedToolsEndpoints {
    private final KillSwitch killSwitch;
    private final Blocking blocking;

    BlockedToolsEndpoints(KillSwitch killSwitch, BlockingExecutor executor) {
        this.killSwitch = killSwitch;
        this.blocking = new Blocking(executor);
    }

    public void list(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> Blocking.Answer.ok(listing(killSwitch, workspace)));
    }

    /** The body of {@code GET /api/blocked-tools}: the file's list and the workspace's own. Reads storage. */
    public static ObjectNode listing(KillSwitch killSwitch, String workspace) {
        ObjectNode body = Json.object();
        ArrayNode tools = body.putArray("blocked_tools");
        killSwitch.configured().stream().sorted().forEach(tool -> tools.addObject()
                .put("tool_name", tool).put("source", "config"));
        for (BlockedTool blocked : killSwitch.list(workspace)) {
            tools.addObject()
                    .put("tool_name", blocked.tool())
                    .put("source", "api")
                    .put("created_at", blocked.createdAt().toString())
                    .put("created_by", blocked.createdBy());
        }
        return body;
    }

    public void add(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        JsonNode toolName = Json.readObject(exchange.request().content()).path("tool_name");
        if (toolName.isMissingNode() || toolName.isNull()) {
            throw ApiError.missingField("tool_name");
        }
        if (!toolName.isTextual() || toolName.textValue().isBlank()) {
            throw ApiError.validation("tool_name must be a non-empty string");
        }
        String tool = toolName.textValue().trim();
        String workspace = exchange.principal().workspace();
        String by = exchange.principal().name();
        blocking.respond(exchange, () -> {
            boolean created = killSwitch.block(workspace, tool, by);
            ObjectNode body = Json.object().put("tool_name", tool).put("blocked", true).put("created", created);
            return new Blocking.Answer(created ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, body);
        });
    }

    public void remove(Exchange exchange) {
        String tool = exchange.pathParam("tool_name");
        String workspace = exchange.principal().workspace();
        if (killSwitch.configured().contains(tool)) {
            throw new ApiError(HttpResponseStatus.CONFLICT, "BLOCKED_IN_CONFIG",
                    "'" + tool + "' is blocked by policy.blocked_tools in toolgate.yaml; remove it there");
        }
        blocking.respond(exchange, () -> {
            if (!killSwitch.unblock(workspace, tool)) {
                throw ApiError.notFound("'" + tool + "' is not on the blocked-tools list");
            }
            return Blocking.Answer.ok(Json.object().put("tool_name", tool).put("blocked", false));
        });
    }
}
