package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What answers the messages of an MCP session, whatever transport carried them: Toolgate's own
 * governance tools, or a downstream server behind the gate. A future failing with
 * {@link JsonRpc.Failure} becomes that JSON-RPC error; any other failure an internal error.
 */
interface McpHandler {
    /** The result of {@code initialize}; the session's protocol version is already negotiated. */
    CompletableFuture<ObjectNode> initialize(McpSession session, ObjectNode params);

    /**
     * The result of one request. Messages the server sends about it before the result (progress)
     * go to {@code early}, which the transport delivers ahead of the answer.
     */
    CompletableFuture<JsonNode> request(McpSession session, JsonNode id, String method, ObjectNode params, Consumer<ObjectNode> early);

    /** A notification from the client. */
    void notification(McpSession session, String method, ObjectNode params);

    /** Whether the server sends messages nobody asked for (a GET stream is worth opening). */
    boolean speaksUnasked();

    /** The session ended: deleted, its stream closed, or idle too long. */
    void closed(McpSession session);
}
