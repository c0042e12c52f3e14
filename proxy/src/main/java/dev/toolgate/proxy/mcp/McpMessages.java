package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.ProtocolVersions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The part of MCP both transports share: reading one JSON-RPC message, negotiating the protocol
 * version at {@code initialize}, and turning a handler's answer into the reply message (a result,
 * or the error the specification names).
 */
final class McpMessages {
    /** Newest first: a client asking for a version not listed gets the newest. */
    static final List<String> VERSIONS = List.of(ProtocolVersions.MCP_2025_11_25, ProtocolVersions.MCP_2025_06_18,
            ProtocolVersions.MCP_2025_03_26, ProtocolVersions.MCP_2024_11_05);

    private McpMessages() {
    }

    /** One message read from a request body. */
    record Message(JsonNode id, String method, ObjectNode params) {
        boolean isRequest() {
            return method != null && id != null;
        }

        boolean isNotification() {
            return method != null && id == null;
        }
    }

    /** The message in {@code body}; fails with the JSON-RPC parse or invalid-request error. */
    static Message read(ByteBuf body) {
        JsonNode message;
        try {
            message = Json.MAPPER.readTree(new ByteBufInputStream(body.duplicate()));
        } catch (IOException e) {
            throw new JsonRpc.Failure(JsonRpc.PARSE_ERROR, "Parse error: the body is not JSON");
        }
        if (message == null || !message.isObject() || !McpSchema.JSONRPC_VERSION.equals(message.path("jsonrpc").asText(null))) {
            throw new JsonRpc.Failure(JsonRpc.INVALID_REQUEST,
                    "Invalid Request: one JSON-RPC 2.0 message (an object with \"jsonrpc\": \"2.0\") per POST");
        }
        JsonNode id = message.get("id");
        if (id != null && !id.isTextual() && !id.isIntegralNumber()) {
            throw new JsonRpc.Failure(JsonRpc.INVALID_REQUEST, "Invalid Request: an id is a string or an integer");
        }
        JsonNode method = message.path("method");
        if (!method.isMissingNode() && !method.isTextual()) {
            throw new JsonRpc.Failure(JsonRpc.INVALID_REQUEST, "Invalid Request: method must be a string");
        }
        JsonNode params = message.path("params");
        if (!params.isMissingNode() && !params.isNull() && !params.isObject()) {
            throw new JsonRpc.Failure(JsonRpc.INVALID_REQUEST, "Invalid Request: params must be an object");
        }
        return new Message(id, method.isTextual() ? method.textValue() : null,
                params.isObject() ? (ObjectNode) params : Json.object());
    }

    static String negotiate(String requested) {
        return VERSIONS.contains(requested) ? requested : VERSIONS.get(0);
    }

    /**
     * The reply to {@code message} in {@code session}: a future of the response message for a
     * request, of null for a notification or a client's response (nothing to send back).
     */
    static CompletableFuture<ObjectNode> answer(McpSession session, Message message, Consumer<ObjectNode> early) {
        if (message.isNotification()) {
            session.handler().notification(session, message.method(), message.params());
            return CompletableFuture.completedFuture(null);
        }
        if (!message.isRequest()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<? extends JsonNode> result;
        try {
            if (message.method().equals(McpSchema.METHOD_INITIALIZE)) {
                session.protocolVersion(negotiate(message.params().path("protocolVersion").asText("")));
                result = session.handler().initialize(session, message.params());
            } else if (session.protocolVersion() == null) {
                throw new JsonRpc.Failure(JsonRpc.INVALID_REQUEST, "Invalid Request: send initialize first");
            } else if (message.method().equals(McpSchema.METHOD_PING)) {
                result = CompletableFuture.completedFuture(Json.object());  // the session answers, whatever serves it
            } else {
                result = session.handler().request(session, message.id(), message.method(), message.params(), early);
            }
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((value, failure) -> reply(message.id(), value, failure));
    }

    private static ObjectNode reply(JsonNode id, JsonNode value, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause == null) {
            return JsonRpc.result(id, value);
        }
        if (cause instanceof JsonRpc.Failure rpc) {
            return JsonRpc.error(id, rpc.code, rpc.getMessage());
        }
        return JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "Internal error");
    }
}
