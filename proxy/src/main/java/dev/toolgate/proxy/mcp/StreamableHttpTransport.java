package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Optional;

/**
 * MCP's Streamable HTTP transport: each POST carries one JSON-RPC message. A request is answered
 * with {@code application/json}, or with an event stream when the server sends messages about it
 * first (progress); notifications and responses get 202. {@code initialize} opens a session
 * ({@code Mcp-Session-Id}); later requests must carry it, and DELETE ends it. GET opens a stream
 * for messages nobody asked for, where the server sends any (405 otherwise, as the specification
 * allows).
 */
final class StreamableHttpTransport {
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";

    private final McpSessions sessions;

    StreamableHttpTransport(McpSessions sessions) {
        this.sessions = sessions;
    }

    void post(Exchange exchange, McpHandler handler) {
        McpMessages.Message message;
        try {
            message = McpMessages.read(exchange.request().content());
        } catch (JsonRpc.Failure failure) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(null, failure.code, failure.getMessage()), null);
            return;
        }
        McpSession session;
        if ("initialize".equals(message.method())) {
            if (message.id() == null) {
                reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
                        "Invalid Request: initialize must be a request with an id"), null);
                return;
            }
            session = sessions.open(exchange.principal(), handler);
        } else {
            Optional<McpSession> found = session(exchange, message, handler);
            if (found.isEmpty()) {
                return;
            }
            session = found.get();
        }
        if (!message.isRequest()) {
            McpMessages.answer(session, message, early -> { });
            exchange.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED, Unpooled.EMPTY_BUFFER));
            return;
        }
        PostReply reply = new PostReply(exchange, acceptsEvents(exchange));
        String newSession = "initialize".equals(message.method()) ? session.id() : null;
        McpMessages.answer(session, message, reply::early).whenComplete((answer, failure) -> exchange.eventLoop().execute(() ->
                reply.finish(answer != null ? answer : JsonRpc.error(message.id(), JsonRpc.INTERNAL_ERROR, "Internal error"), newSession)));
    }

    /** The session a non-initialize message names, or empty after answering why there is none. */
    private Optional<McpSession> session(Exchange exchange, McpMessages.Message message, McpHandler handler) {
        String sessionId = exchange.request().headers().get(SESSION_HEADER);
        if (sessionId == null) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(message.id(), JsonRpc.INVALID_REQUEST,
                    "Bad Request: no " + SESSION_HEADER + " header; send initialize first"), null);
            return Optional.empty();
        }
        Optional<McpSession> session = sessions.find(sessionId, exchange.principal()).filter(s -> s.handler() == handler);
        if (session.isEmpty()) {
            reply(exchange, HttpResponseStatus.NOT_FOUND, JsonRpc.error(message.id(), JsonRpc.INVALID_REQUEST,
                    "Session not found: initialize a new session"), null);
            return Optional.empty();
        }
        String version = exchange.request().headers().get(VERSION_HEADER);
        if (version != null && !McpMessages.VERSIONS.contains(version)) {
            reply(exchange, HttpResponseStatus.BAD_REQUEST, JsonRpc.error(message.id(), JsonRpc.INVALID_REQUEST,
                    "Bad Request: unsupported " + VERSION_HEADER + " " + version + " (supported: "
                            + String.join(", ", McpMessages.VERSIONS) + ")"), null);
            return Optional.empty();
        }
        return session;
    }

    /** A stream for messages nobody asked for, where the server sends any. */
    void get(Exchange exchange, McpHandler handler) {
        String sessionId = exchange.request().headers().get(SESSION_HEADER);
        Optional<McpSession> session = sessions.find(sessionId, exchange.principal()).filter(s -> s.handler() == handler);
        if (!handler.speaksUnasked() || !acceptsEvents(exchange)) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.ALLOW, "POST, DELETE");
            exchange.respond(response);
        } else if (session.isEmpty()) {
            reply(exchange, sessionId == null ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.NOT_FOUND,
                    JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Session not found: initialize a new session"), null);
        } else {
            McpSession open = session.get();
            SseStream stream = SseStream.start(exchange, () -> { });
            open.stream(stream);
        }
    }

    void delete(Exchange exchange, McpHandler handler) {
        Optional<McpSession> session = sessions.find(exchange.request().headers().get(SESSION_HEADER), exchange.principal())
                .filter(s -> s.handler() == handler);
        session.ifPresent(sessions::close);
        exchange.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                session.isPresent() ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER));
    }

    private static boolean acceptsEvents(Exchange exchange) {
        String accept = exchange.request().headers().get(HttpHeaderNames.ACCEPT);
        return accept != null && accept.contains("text/event-stream");
    }

    static void reply(Exchange exchange, HttpResponseStatus status, ObjectNode message, String sessionId) {
        FullHttpResponse response = Exchange.jsonResponse(status, Json.bytes(message));
        if (sessionId != null) {
            response.headers().set(SESSION_HEADER, sessionId);
        }
        exchange.respond(response);
    }

    /**
     * The answer to one POSTed request: plain JSON, unless the server sent messages about it first
     * and the client accepts an event stream; then those messages and the answer as events.
     */
    private static final class PostReply {
        private final Exchange exchange;
        private final boolean eventsAccepted;
        /** Event loop only. */
        private SseStream stream;

        PostReply(Exchange exchange, boolean eventsAccepted) {
            this.exchange = exchange;
            this.eventsAccepted = eventsAccepted;
        }

        void early(ObjectNode message) {
            if (!eventsAccepted) {
                return;
            }
            exchange.eventLoop().execute(() -> {
                if (exchange.streamStarted() && stream == null) {
                    return;  // answered already
                }
                if (stream == null) {
                    stream = SseStream.start(exchange, () -> { });
                }
                stream.send("message", message.toString());
            });
        }

        void finish(ObjectNode answer, String newSession) {
            if (stream != null) {
                stream.send("message", answer.toString());
                stream.close();
            } else {
                reply(exchange, HttpResponseStatus.OK, answer, newSession);
            }
        }
    }
}
