package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.api.InterceptEndpoint;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One downstream MCP server as its clients see it through the gateway ({@code /mcp/{server}}):
 * messages pass through, except that every {@code tools/call} is decided by the gate first (the
 * tool named {@code {server}.{tool}} and known by its bare name, the agent being the key) and only
 * a released call is forwarded, with its arguments as they were decided; tools every call of which
 * is blocked are left out of {@code tools/list}. Progress tokens are the gateway's own on the
 * downstream connection, so each client's progress reaches that client only; other notifications
 * from the server reach every client with a stream open.
 */
final class DownstreamServer implements McpHandler {
    private final String name;
    private final DownstreamConnection connection;
    private final ToolCallGate gate;
    private final URI publicUrl;
    private final Set<McpSession> sessions = ConcurrentHashMap.newKeySet();
    /** The gateway's progress token to where that progress goes. */
    private final Map<String, ProgressRoute> progress = new ConcurrentHashMap<>();
    /** A client's request (session and id) to the id it has on the downstream connection, while it is answered. */
    private final Map<String, String> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong progressTokens = new AtomicLong();

    private record ProgressRoute(JsonNode clientToken, Consumer<ObjectNode> early) {
    }

    DownstreamServer(String name, DownstreamConnection connection, ToolCallGate gate, URI publicUrl) {
        this.name = name;
        this.connection = connection;
        this.gate = gate;
        this.publicUrl = publicUrl;
        connection.onNotification(this::fromServer);
    }

    String name() {
        return name;
    }

    DownstreamConnection connection() {
        return connection;
    }

    @Override
    public CompletableFuture<ObjectNode> initialize(McpSession session, ObjectNode params) {
        sessions.add(session);
        return connection.initialized().thenApply(downstream -> {
            ObjectNode result = downstream.deepCopy();
            result.put("protocolVersion", session.protocolVersion());
            return result;
        });
    }

    @Override
    public CompletableFuture<JsonNode> request(McpSession session, JsonNode id, String method, ObjectNode params,
                                              Consumer<ObjectNode> early) {
        switch (method) {
            case McpSchema.METHOD_TOOLS_LIST:
                return forward(session, id, method, params, early).thenApply(result -> visibleTools(session.principal(), result));
            case McpSchema.METHOD_TOOLS_CALL:
                return governed(session, id, params, early);
            default:
                return forward(session, id, method, params, early);
        }
    }

    /** Decides the call; forwards it only when released, else answers with the decision as a tool error. */
    private CompletableFuture<JsonNode> governed(McpSession session, JsonNode id, ObjectNode params, Consumer<ObjectNode> early) {
        JsonNode tool = params.path("name");
        JsonNode arguments = params.path("arguments");
        if (!tool.isTextual() || tool.textValue().isBlank()) {
            throw new JsonRpc.Failure(JsonRpc.INVALID_PARAMS, "Invalid params: tools/call needs params.name");
        }
        if (!arguments.isMissingNode() && !arguments.isNull() && !arguments.isObject()) {
            throw new JsonRpc.Failure(JsonRpc.INVALID_PARAMS, "Invalid params: tools/call arguments must be an object");
        }
        Principal principal = session.principal();
        ToolCall call = new ToolCall(null, name + "." + tool.textValue(), arguments.isObject() ? arguments.toString() : "{}",
                tool.textValue());
        CallContext context = new CallContext(principal.workspace(), principal.name(), "",
                Map.of("source", "mcp", "server", name, "path", "/mcp/" + name));
        return gate.decide(new ToolCallGate.Request(context, "mcp", List.of(call), null, null, 0)).thenCompose(gated -> {
            GatedCall decided = gated.get(0);
            return decided.decision().releases() ? forward(session, id, McpSchema.METHOD_TOOLS_CALL, params, early)
                    : CompletableFuture.completedFuture(refusal(decided));
        });
    }

    /** What the client gets for a call that may not run: the governance sentence, as a tool error the model can read. */
    private ObjectNode refusal(GatedCall gated) {
        ObjectNode decision = InterceptEndpoint.answer(gated, publicUrl);
        StringBuilder text = new StringBuilder(DecisionSummary.replacementText(gated));
        if (gated.pending()) {
            text.append(" Approval ").append(gated.approvalId()).append(": ").append(decision.path("approval_url").asText());
        } else {
            text.append(" Rule ").append(decision.path("rule").asText()).append(": ").append(decision.path("reason").asText());
        }
        return McpJson.tree(McpSchema.CallToolResult.builder().addTextContent(text.toString()).isError(true)
                .meta(Map.of("toolgate", decision)).build());
    }

    private ObjectNode visibleTools(Principal principal, JsonNode result) {
        ObjectNode copy = result.isObject() ? ((ObjectNode) result).deepCopy() : Json.object();
        JsonNode tools = copy.path("tools");
        if (tools.isArray()) {
            ArrayNode visible = Json.MAPPER.createArrayNode();
            for (JsonNode tool : tools) {
                String toolName = tool.path("name").asText("");
                if (!gate.engine().blocksEveryCall(principal.workspace(), name + "." + toolName, toolName)) {
                    visible.add(tool);
                }
            }
            copy.set("tools", visible);
        }
        return copy;
    }

    private CompletableFuture<JsonNode> forward(McpSession session, JsonNode id, String method, ObjectNode params,
                                               Consumer<ObjectNode> early) {
        ObjectNode sent = params;
        String token = null;
        JsonNode clientToken = params.path("_meta").path("progressToken");
        if (!clientToken.isMissingNode() && !clientToken.isNull()) {
            token = "tg-progress-" + progressTokens.incrementAndGet();
            sent = params.deepCopy();
            ((ObjectNode) sent.get("_meta")).put("progressToken", token);
            progress.put(token, new ProgressRoute(clientToken, early));
        }
        String downstreamId = connection.nextId();
        String key = requestKey(session, id);
        inFlight.put(key, downstreamId);
        String registered = token;
        return connection.request(downstreamId, method, sent).whenComplete((result, failure) -> {
            inFlight.remove(key);
            if (registered != null) {
                progress.remove(registered);
            }
        });
    }

    private static String requestKey(McpSession session, JsonNode id) {
        return session.id() + '\u0000' + id.toString();
    }

    @Override
    public void notification(McpSession session, String method, ObjectNode params) {
        if (method.equals(McpSchema.METHOD_NOTIFICATION_INITIALIZED)) {
            return;  // the gateway initialized the server itself
        }
        if (method.equals("notifications/cancelled")) {
            String downstreamId = inFlight.get(requestKey(session, params.path("requestId")));
            if (downstreamId != null) {
                ObjectNode cancelled = params.deepCopy();
                cancelled.put("requestId", downstreamId);
                connection.notify(method, cancelled);
            }
            return;
        }
        connection.notify(method, params);
    }

    /** A notification from the server: progress to the client that asked, anything else to every client listening. */
    private void fromServer(ObjectNode message) {
        String method = message.path("method").asText();
        if (method.equals(McpSchema.METHOD_NOTIFICATION_PROGRESS)) {
            ProgressRoute route = progress.get(message.path("params").path("progressToken").asText());
            if (route != null) {
                ObjectNode forClient = message.deepCopy();
                ((ObjectNode) forClient.get("params")).set("progressToken", route.clientToken());
                route.early().accept(forClient);
            }
            return;
        }
        if (method.equals("notifications/cancelled")) {
            return;
        }
        sessions.forEach(session -> session.send(message));
    }

    @Override
    public boolean speaksUnasked() {
        return true;
    }

    @Override
    public void closed(McpSession session) {
        sessions.remove(session);
    }
}
