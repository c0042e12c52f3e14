package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Toolgate's own MCP server ({@code /mcp}, {@code /sse}): the governance tools, scoped by the
 * session's key. It only answers: nothing is sent unasked.
 */
final class GovernanceServer implements McpHandler {
    static final String SERVER_NAME = "toolgate";
    static final String SERVER_VERSION = "0.1.0";

    private final GovernanceTools tools;

    GovernanceServer(GovernanceTools tools) {
        this.tools = tools;
    }

    @Override
    public CompletableFuture<ObjectNode> initialize(McpSession session, ObjectNode params) {
        McpSchema.InitializeResult result = new McpSchema.InitializeResult(session.protocolVersion(),
                McpSchema.ServerCapabilities.builder().tools(false).build(),
                new McpSchema.Implementation(SERVER_NAME, SERVER_VERSION),
                "Call check_tool_call before running any tool: run it only when the answer says allowed.");
        return CompletableFuture.completedFuture(McpJson.tree(result));
    }

    @Override
    public CompletableFuture<JsonNode> request(McpSession session, JsonNode id, String method, ObjectNode params,
                                              Consumer<ObjectNode> early) {
        switch (method) {
            case McpSchema.METHOD_TOOLS_LIST:
                return CompletableFuture.completedFuture(tools.list(session.principal()));
            case McpSchema.METHOD_TOOLS_CALL: {
                JsonNode name = params.path("name");
                if (!name.isTextual()) {
                    throw new JsonRpc.Failure(JsonRpc.INVALID_PARAMS, "Invalid params: tools/call needs params.name");
                }
                JsonNode arguments = params.path("arguments");
                return tools.call(session.principal(), name.textValue(), arguments.isObject() ? (ObjectNode) arguments : Json.object())
                        .thenApply(result -> result);
            }
            default:
                throw new JsonRpc.Failure(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method);
        }
    }

    @Override
    public void notification(McpSession session, String method, ObjectNode params) {
        // notifications/initialized, cancelled: every answer here is quick and nothing needs undoing.
    }

    @Override
    public boolean speaksUnasked() {
        return false;
    }

    @Override
    public void closed(McpSession session) {
    }
}
