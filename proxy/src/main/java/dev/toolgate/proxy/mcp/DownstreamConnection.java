package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as the MCP client of one downstream server: requests get ids of the gateway's own
 * and a future each, answered when the server's response arrives, failed when it does not arrive
 * within the timeout or the connection is lost (never left hanging). The gateway initializes the
 * server itself, once per connection, and keeps its answer for the clients' {@code initialize}.
 * Subclasses carry messages: a child process's stdio, or Streamable HTTP.
 */
abstract class DownstreamConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DownstreamConnection.class);
    private static final String CLIENT_NAME = "toolgate-gateway";

    protected final String server;
    private final Duration timeout;
    private final Map<String, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Consumer<ObjectNode> notifications = message -> { };
    /** The server's answer to the gateway's initialize on the current connection; null while there is none. */
    private volatile CompletableFuture<ObjectNode> initialized;

    DownstreamConnection(String server, Duration timeout) {
        this.server = server;
        this.timeout = timeout;
    }

    /** Where the server's notifications go. */
    void onNotification(Consumer<ObjectNode> listener) {
        this.notifications = listener;
    }

    /** Sends one message to the server; the answer, if any, comes back through {@link #received}. */
    protected abstract void send(ObjectNode message);

    /** The server's {@code initialize} result, initializing the connection first when needed. */
    CompletableFuture<ObjectNode> initialized() {
        CompletableFuture<ObjectNode> current = initialized;
        if (current != null && !current.isCompletedExceptionally()) {
            return current;
        }
        synchronized (this) {
            if (initialized == null || initialized.isCompletedExceptionally()) {
                initialized = handshake();
            }
            return initialized;
        }
    }

    /** Completes when messages can be sent (a process started); the handshake waits for it, at most the timeout. */
    protected CompletableFuture<Void> ready() {
        return CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<ObjectNode> handshake() {
        return ready().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(unavailable("did not start within "
                        + timeout.toSeconds() + " s")))
                .thenCompose(started -> initialize());
    }

    private CompletableFuture<ObjectNode> initialize() {
        ObjectNode params = McpJson.tree(new McpSchema.InitializeRequest(McpMessages.VERSIONS.get(0),
                McpSchema.ClientCapabilities.builder().build(), new McpSchema.Implementation(CLIENT_NAME, GovernanceServer.SERVER_VERSION)));
        return exchange(McpSchema.METHOD_INITIALIZE, params).thenApply(result -> {
            protocolAgreed(result.path("protocolVersion").asText(McpMessages.VERSIONS.get(0)));
            send(message(McpSchema.METHOD_NOTIFICATION_INITIALIZED, Json.object(), null));
            log.info("MCP server '{}' ready: {} {}", server, result.path("serverInfo").path("name").asText("?"),
                    result.path("serverInfo").path("version").asText(""));
            return result;
        });
    }

    /** The version the server agreed to, for transports that state it on every message. */
    protected void protocolAgreed(String version) {
    }

    /** A notification to the server, once initialized. */
    void notify(String method, ObjectNode params) {
        initialized().thenRun(() -> send(message(method, params, null)));
    }

    /** The id the next request will carry, for a cancellation to name. */
    String nextId() {
        return "tg-" + ids.incrementAndGet();
    }

    /**
     * The result of {@code method}, sent with {@code id} (from {@link #nextId}) once initialized;
     * fails with the server's error as a {@link JsonRpc.Failure}.
     */
    CompletableFuture<JsonNode> request(String id, String method, ObjectNode params) {
        return initialized().thenCompose(ready -> exchange(id, method, params)).thenApply(result -> result);
    }

    private CompletableFuture<ObjectNode> exchange(String method, ObjectNode params) {
        return exchange(nextId(), method, params);
    }

    private CompletableFuture<ObjectNode> exchange(String id, String method, ObjectNode params) {
        CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        answer.whenComplete((result, failure) -> pending.remove(id));
        try {
            send(message(method, params, id));
        } catch (RuntimeException e) {
            answer.completeExceptionally(unavailable(e.getMessage()));
        }
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(failure instanceof TimeoutException
                        ? unavailable("did not answer " + method + " within " + timeout.toSeconds() + " s") : failure));
    }

    private static ObjectNode message(String method, ObjectNode params, String id) {
        ObjectNode message = Json.object();
        message.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        if (id != null) {
            message.put("id", id);
        }
        message.put("method", method);
        message.set("params", params);
        return message;
    }

    /** One message from the server: a response completes its request, a notification goes to the listener. */
    protected void received(ObjectNode message) {
        JsonNode id = message.get("id");
        JsonNode method = message.get("method");
        if (method == null && id != null) {
            CompletableFuture<ObjectNode> answer = pending.get(id.asText());
            if (answer == null) {
                return;  // timed out already
            }
            JsonNode error = message.get("error");
            if (error != null) {
                answer.completeExceptionally(new JsonRpc.Failure(error.path("code").asInt(JsonRpc.INTERNAL_ERROR),
                        error.path("message").asText("error from MCP server '" + server + "'")));
            } else {
                JsonNode result = message.path("result");
                answer.complete(result.isObject() ? (ObjectNode) result : Json.object());
            }
        } else if (method != null && id == null) {
            notifications.accept(message);
        } else if (method != null) {
            // The gateway declared no client capabilities (sampling, roots, elicitation): it has nothing to answer with.
            send(JsonRpc.error(id, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method.asText()
                    + " (the Toolgate gateway offers no client capabilities)"));
        }
    }

    /** The request {@code id} cannot be answered (its message was refused on the way). */
    protected void failed(String id, String why) {
        CompletableFuture<ObjectNode> answer = pending.get(id);
        if (answer != null) {
            answer.completeExceptionally(unavailable(why));
        }
    }

    /** The connection is gone: every request waiting on it fails now, and the next one initializes again. */
    protected void lost(String why) {
        synchronized (this) {
            initialized = null;
        }
        pending.values().forEach(answer -> answer.completeExceptionally(unavailable(why)));
    }

    protected JsonRpc.Failure unavailable(String why) {
        return new JsonRpc.Failure(JsonRpc.INTERNAL_ERROR, "MCP server '" + server + "' " + why);
    }

    @Override
    public abstract void close();
}
