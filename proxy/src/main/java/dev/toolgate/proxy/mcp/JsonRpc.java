package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import io.modelcontextprotocol.spec.McpSchema;

/** JSON-RPC 2.0 messages as MCP uses them: results, errors and the specification's error codes (the SDK's). */
final class JsonRpc {
    static final int PARSE_ERROR = McpSchema.ErrorCodes.PARSE_ERROR;
    static final int INVALID_REQUEST = McpSchema.ErrorCodes.INVALID_REQUEST;
    static final int METHOD_NOT_FOUND = McpSchema.ErrorCodes.METHOD_NOT_FOUND;
    static final int INVALID_PARAMS = McpSchema.ErrorCodes.INVALID_PARAMS;
    static final int INTERNAL_ERROR = McpSchema.ErrorCodes.INTERNAL_ERROR;

    private JsonRpc() {
    }

    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode message = Json.object();
        message.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        message.set("id", id == null ? NullNode.getInstance() : id);
        message.set("result", result);
        return message;
    }

    static ObjectNode error(JsonNode id, int code, String text) {
        ObjectNode message = Json.object();
        message.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        message.set("id", id == null ? NullNode.getInstance() : id);
        message.putObject("error").put("code", code).put("message", text);
        return message;
    }

    /** A JSON-RPC error raised while handling a request. */
    static final class Failure extends RuntimeException {
        final int code;

        Failure(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
