package dev.toolgate.proxy.mcp;

import dev.toolgate.config.McpConfig;
import dev.toolgate.config.McpServerConfig;
import dev.toolgate.proxy.api.PendingApprovalsEndpoints;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.storage.AuditLog;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import okhttp3.OkHttpClient;

/**
 * Toolgate's MCP entry points, as the route table calls them: its own governance server at
 * {@code /mcp} and {@code /sse}, and each downstream server of {@code mcp.servers} at
 * {@code /mcp/{server}} and {@code /sse/{server}}, over Streamable HTTP and the legacy SSE
 * transport alike. Owns the sessions and the downstream connections, and ends both on close.
 */
public final class McpEndpoints implements AutoCloseable {
    private final McpSessions sessions = new McpSessions();
    private final StreamableHttpTransport streamable = new StreamableHttpTransport(sessions);
    private final LegacySseTransport legacy = new LegacySseTransport(sessions);
    private final GovernanceServer governance;
    private final Map<String, DownstreamServer> downstream = new LinkedHashMap<>();
    /** For downstream servers over HTTP: its threads are stopped on close. */
    private final OkHttpClient http = new OkHttpClient();

    public McpEndpoints(ToolCallGate gate, PendingApprovalsEndpoints approvals, KillSwitch killSwitch, AuditLog auditLog,
                        BlockingExecutor blocking, URI publicUrl, McpConfig config) {
        this.governance = new GovernanceServer(new GovernanceTools(gate, approvals, killSwitch, auditLog, blocking, publicUrl));
        for (McpServerConfig server : config.servers()) {
            DownstreamConnection connection = server.isStdio() ? new StdioConnection(server, config.timeout())
                    : new HttpConnection(server, config.timeout(), http);
            downstream.put(server.name(), new DownstreamServer(server.name(), connection, gate, publicUrl));
        }
    }

    /** Whether requests to {@code path} are MCP's JSON-RPC, whose clients read only JSON-RPC errors. */
    public static boolean speaksJsonRpc(String path) {
        return path.equals("/mcp") || path.startsWith("/mcp/") || path.equals(LegacySseTransport.MESSAGES_PATH);
    }

    /** Starts the stdio servers and initializes every downstream server, without waiting for them. */
    public void start() {
        for (DownstreamServer server : downstream.values()) {
            if (server.connection() instanceof StdioConnection stdio) {
                stdio.start();
            } else {
                server.connection().initialized();
            }
        }
    }

    public void post(Exchange exchange) {
        streamable.post(exchange, governance);
    }

    public void get(Exchange exchange) {
        streamable.get(exchange, governance);
    }

    public void delete(Exchange exchange) {
        streamable.delete(exchange, governance);
    }

    public void postToServer(Exchange exchange) {
        withServer(exchange, streamable::post);
    }

    public void getFromServer(Exchange exchange) {
        withServer(exchange, streamable::get);
    }

    public void deleteAtServer(Exchange exchange) {
        withServer(exchange, streamable::delete);
    }

    /** {@code GET /sse}: a legacy session with the governance server. */
    public void openSse(Exchange exchange) {
        legacy.open(exchange, governance);
    }

    /** {@code GET /sse/{server}}: a legacy session with a downstream server. */
    public void openServerSse(Exchange exchange) {
        withServer(exchange, legacy::open);
    }

    /** {@code POST /messages?sessionId=}: a message of a legacy session, answered on its stream. */
    public void message(Exchange exchange) {
        legacy.message(exchange);
    }

    /** Hands the exchange to the downstream server its path names; 404 when there is no such server. */
    private void withServer(Exchange exchange, BiConsumer<Exchange, McpHandler> endpoint) {
        String name = exchange.pathParam("server");
        DownstreamServer server = downstream.get(name);
        if (server == null) {
            StreamableHttpTransport.reply(exchange, HttpResponseStatus.NOT_FOUND, JsonRpc.error(null, JsonRpc.INVALID_REQUEST,
                    "no MCP server '" + name + "' (configured: " + String.join(", ", downstream.keySet()) + ")"), null);
        } else {
            endpoint.accept(exchange, server);
        }
    }

    /** Ends every session and its stream (a shutdown begins). */
    public void endSessions() {
        sessions.closeAll();
    }

    /** Ends every session's stream and stops the downstream servers. */
    @Override
    public void close() {
        sessions.closeAll();
        downstream.values().forEach(server -> server.connection().close());
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
