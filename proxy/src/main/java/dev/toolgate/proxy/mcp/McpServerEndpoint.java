package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.api.PendingApprovalsEndpoints;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditLog;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Toolgate as an MCP server over Streamable HTTP at {@code /mcp}: each POST carries one JSON-RPC
 * message and gets its response as {@code application/json} (notifications and responses get 202);
 * {@code initialize} negotiates the protocol version and opens a session ({@code Mcp-Session-Id});
 * DELETE ends it. The server sends nothing unasked, so GET (a stream for server messages) is 405,
 * as the specification allows. The caller's key authenticates every request, and a session belongs
 * to the key that opened it.
 */
public final class McpServerEndpoint {
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";
    /** Newest first: a client asking for a version not listed gets the newest. */
    static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
    private static final String SERVER_NAME = "toolgate";
    private static final String SERVER_VERSION = "0.1.0";

    private final GovernanceTools tools;
    private final McpSessions sessions = new McpSessions();

    public McpServerEndpoint(ToolCallGate gate, PendingApprovalsEndpoints approvals, KillSwitch killSwitch, AuditLog auditLog,
                             BlockingExecutor blocking, URI publicUrl) {
        this.tools = new GovernanceTools(gate, approvals, killSwitch, auditLog, blocking, publicUrl);
    }

    /** {@code POST /mcp}. */
    public void post(Exchange exchange) {
        JsonNode message;
        try {
            message = Json.MAPPER.readTree(new ByteBufInputStream(exchange.request().content().duplicate()));
        } catch (IOException e) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(null, JsonRpc.PARSE_ERROR, "Parse error: the body is not JSON"), null);
            return;
        }
        if (message == null || !message.isObject() || !"2.0".equals(message.path("jsonrpc").asText(null))) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
                    "Invalid Request: one JSON-RPC 2.0 message (an object with \"jsonrpc\": \"2.0\") per POST"), null);
            return;
        }
        JsonNode id = message.get("id");
        JsonNode method = message.path("method");
        if (!method.isTextual()) {
            // A response or a notification-less message from the client: nothing to answer.
            accepted(exchange);
            return;
        }
        ObjectNode params = message.path("params").isObject() ? (ObjectNode) message.path("params") : Json.object();
        if (method.textValue().equals("initialize")) {
            initialize(exchange, id, params);
            return;
        }
        String sessionId = exchange.request().headers().get(SESSION_HEADER);
        if (sessionId == null) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(id, JsonRpc.INVALID_REQUEST,
                    "Bad Request: no " + SESSION_HEADER + " header; send initialize first"), null);
            return;
        }
        Optional<McpSessions.Session> session = sessions.find(sessionId, exchange.principal());
        if (session.isEmpty()) {
            reply(exchange, HttpResponseStatus.NOT_FOUND, JsonRpc.error(id, JsonRpc.INVALID_REQUEST,
                    "Session not found: initialize a new session"), null);
            return;
        }
        String version = exchange.request().headers().get(VERSION_HEADER);
        if (version != null && !VERSIONS.contains(version)) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(id, JsonRpc.INVALID_REQUEST,
                    "Unsupported " + VERSION_HEADER + ": " + version + " (supported: " + String.join(", ", VERSIONS) + ")"), null);
            return;
        }
        if (id == null) {
            accepted(exchange);
            return;
        }
        handle(exchange, session.get(), method.textValue(), params).whenComplete((result, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause == null) {
                reply(exchange, HttpResponseStatus.OK, JsonRpc.result(id, result), null);
            } else if (cause instanceof JsonRpc.Failure rpc) {
                reply(exchange, HttpResponseStatus.OK, JsonRpc.error(id, rpc.code, rpc.getMessage()), null);
            } else {
                reply(exchange, HttpResponseStatus.OK, JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "Internal error"), null);
            }
        });
    }

    /** {@code GET /mcp}: this server opens no stream of its own. */
    public void get(Exchange exchange) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.METHOD_NOT_ALLOWED, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.ALLOW, "POST, DELETE");
        exchange.respond(response);
    }

    /** {@code DELETE /mcp}: ends the session. */
    public void delete(Exchange exchange) {
        Optional<McpSessions.Session> session = sessions.find(exchange.request().headers().get(SESSION_HEADER), exchange.principal());
        session.ifPresent(sessions::close);
        exchange.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                session.isPresent() ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER));
    }

    private CompletableFuture<JsonNode> handle(Exchange exchange, McpSessions.Session session, String method, ObjectNode params) {
        try {
            switch (method) {
                case "ping":
                    return CompletableFuture.completedFuture(Json.object());
                case "tools/list":
                    return CompletableFuture.completedFuture(tools.list(session.principal()));
                case "tools/call": {
                    JsonNode name = params.path("name");
                    if (!name.isTextual()) {
                        throw new JsonRpc.Failure(JsonRpc.INVALID_PARAMS, "tools/call needs params.name");
                    }
                    JsonNode arguments = params.path("arguments");
                    return tools.call(session.principal(), name.textValue(),
                            arguments.isObject() ? (ObjectNode) arguments : Json.object()).thenApply(result -> result);
                }
                default:
                    throw new JsonRpc.Failure(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method);
            }
        } catch (JsonRpc.Failure failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    private void initialize(Exchange exchange, JsonNode id, ObjectNode params) {
        if (id == null) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "initialize must be a request with an id"), null);
            return;
        }
        String requested = params.path("protocolVersion").asText("");
        String version = VERSIONS.contains(requested) ? requested : VERSIONS.get(0);
        McpSessions.Session session = sessions.open(exchange.principal(), version);
        ObjectNode result = Json.object();
        result.put("protocolVersion", version);
        result.putObject("capabilities").putObject("tools").put("listChanged", false);
        result.putObject("serverInfo").put("name", SERVER_NAME).put("version", SERVER_VERSION);
        result.put("instructions", "Call check_tool_call before running any tool: run it only when the answer says allowed.");
        reply(exchange, HttpResponseStatus.OK, JsonRpc.result(id, result), session.id());
    }

    private static void accepted(Exchange exchange) {
        exchange.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED, Unpooled.EMPTY_BUFFER));
    }

    private static void reply(Exchange exchange, HttpResponseStatus status, ObjectNode message, String sessionId) {
        FullHttpResponse response = Exchange.jsonResponse(status, Json.bytes(message));
        if (sessionId != null) {
            response.headers().set(SESSION_HEADER, sessionId);
        }
        exchange.respond(response);
    }
}
