package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;

/**
 * The official MCP SDK's JSON mapper over the gateway's own Jackson mapper: the SDK's schema types
 * ({@code McpSchema}) become the trees the transports write, with the specification's field names
 * and absent fields left out.
 */
final class McpJson {
    static final McpJsonMapper MAPPER = new JacksonMcpJsonMapper(Json.MAPPER);

    private McpJson() {
    }

    /** An SDK schema value as a JSON object. */
    static ObjectNode tree(Object value) {
        return MAPPER.convertValue(value, ObjectNode.class);
    }
}
