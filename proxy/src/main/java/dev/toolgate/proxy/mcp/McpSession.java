package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Principal;

/**
 * One client's MCP session: the key that opened it, what answers it, the protocol version agreed
 * at {@code initialize}, and the stream (legacy SSE, or a Streamable HTTP GET) on which messages
 * nobody asked for reach the client, when one is open.
 */
final class McpSession {
    private final String id;
    private final Principal principal;
    private final McpHandler handler;
    private volatile String protocolVersion;
    private volatile SseStream stream;

    McpSession(String id, Principal principal, McpHandler handler) {
        this.id = id;
        this.principal = principal;
        this.handler = handler;
    }

    String id() {
        return id;
    }

    Principal principal() {
        return principal;
    }

    McpHandler handler() {
        return handler;
    }

    String protocolVersion() {
        return protocolVersion;
    }

    void protocolVersion(String version) {
        this.protocolVersion = version;
    }

    /** Attaches the stream server messages go to, replacing (and ending) an earlier one. */
    void stream(SseStream next) {
        SseStream previous = stream;
        stream = next;
        if (previous != null && previous != next) {
            previous.close();
        }
    }

    /** Sends {@code message} on the session's stream; false when none is open. */
    boolean send(ObjectNode message) {
        SseStream current = stream;
        return current != null && current.send("message", message.toString());
    }

    void endStream() {
        SseStream current = stream;
        stream = null;
        if (current != null) {
            current.close();
        }
    }
}
