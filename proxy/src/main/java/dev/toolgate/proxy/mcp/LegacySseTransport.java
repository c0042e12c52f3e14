package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Optional;

/**
 * MCP's HTTP+SSE transport of protocol revision 2024-11-05, for clients that predate Streamable
 * HTTP: {@code GET /sse} opens the session's event stream and names, in an {@code endpoint} event,
 * where to POST messages ({@code /messages?sessionId=...}); each POST gets 202 and its answer
 * arrives on the stream. The session id is the secret of a message post, which carries no key.
 */
final class LegacySseTransport {
    static final String MESSAGES_PATH = "/messages";

    private final McpSessions sessions;

    LegacySseTransport(McpSessions sessions) {
        this.sessions = sessions;
    }

    void open(Exchange exchange, McpHandler handler) {
        McpSession session = sessions.open(exchange.principal(), handler);
        SseStream stream = SseStream.start(exchange, () -> sessions.close(session));
        session.stream(stream);
        stream.send("endpoint", MESSAGES_PATH + "?sessionId=" + session.id());
    }

    void message(Exchange exchange) {
        Optional<McpSession> session = sessions.find(exchange.param("sessionId"));
        if (session.isEmpty()) {
            StreamableHttpTransport.reply(exchange, HttpResponseStatus.NOT_FOUND, JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
                    "Session not found: open a new one with GET /sse"), null);
            return;
        }
        McpMessages.Message message;
        try {
            message = McpMessages.read(exchange.request().content());
        } catch (JsonRpc.Failure failure) {
            StreamableHttpTransport.reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(null, failure.code, failure.getMessage()), null);
            return;
        }
        McpSession open = session.get();
        exchange.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED, Unpooled.EMPTY_BUFFER));
        McpMessages.answer(open, message, open::send).thenAccept((ObjectNode answer) -> {
            if (answer != null) {
                open.send(answer);
            }
        });
    }
}
