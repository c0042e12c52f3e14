package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.Role;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.api.BlockedToolsEndpoints;
import dev.toolgate.proxy.api.InterceptEndpoint;
import dev.toolgate.proxy.api.LogsEndpoints;
import dev.toolgate.proxy.api.PendingApprovalsEndpoints;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.storage.ApprovalQuery;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.AuditQuery;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The tools Toolgate offers as an MCP server, each with its JSON schema, answering as the REST
 * endpoint of the same name does (the same body builders). {@code check_tool_call} goes through
 * the one decision path with source {@code mcp}; the others are admin-only and neither listed to
 * nor callable with an agent key. Storage work runs on the blocking executor, never an event loop.
 */
final class GovernanceTools {
    /** One tool: its listing and what calling it does. */
    private record Tool(McpSchema.Tool definition, boolean adminOnly, Handler handler) {
        Tool(String name, String description, ObjectNode inputSchema, boolean adminOnly, Handler handler) {
            this(McpSchema.Tool.builder().name(name).description(description)
                    .inputSchema(McpJson.MAPPER.convertValue(inputSchema, McpSchema.JsonSchema.class)).build(), adminOnly, handler);
        }

        String name() {
            return definition.name();
        }
    }

    @FunctionalInterface
    private interface Handler {
        /** The tool's structured result; fails with {@link ToolError} for a call the tool refuses. */
        CompletableFuture<ObjectNode> call(Principal principal, ObjectNode arguments);
    }

    /** The tool refused the call (bad arguments, nothing to remove): a result with {@code isError}. */
    static final class ToolError extends RuntimeException {
        ToolError(String message) {
            super(message, null, false, false);
        }
    }

    private final ToolCallGate gate;
    private final PendingApprovalsEndpoints approvals;
    private final KillSwitch killSwitch;
    private final AuditLog auditLog;
    private final BlockingExecutor blocking;
    private final URI publicUrl;
    private final List<Tool> tools;

    GovernanceTools(ToolCallGate gate, PendingApprovalsEndpoints approvals, KillSwitch killSwitch, AuditLog auditLog,
                    BlockingExecutor blocking, URI publicUrl) {
        this.gate = gate;
        this.approvals = approvals;
        this.killSwitch = killSwitch;
        this.auditLog = auditLog;
        this.blocking = blocking;
        this.publicUrl = publicUrl;
        this.tools = List.of(
                new Tool("check_tool_call", "Ask Toolgate whether a tool call may run: allowed, blocked, or held for a person "
                        + "(then retry the same call once approved). Every decision is audited.",
                        schema(Map.of("tool_name", stringProperty("The tool the agent wants to call"),
                                "arguments", Json.object().put("type", "object").put("description", "The call's arguments"),
                                "tool_call_id", stringProperty("The call's id, if it has one")), "tool_name"),
                        false, this::checkToolCall),
                new Tool("list_pending_approvals", "Tool calls held for a person in this workspace, oldest first.",
                        schema(Map.of("tool", stringProperty("Only calls of this tool"),
                                "limit", Json.object().put("type", "integer").put("minimum", 1).put("maximum", AuditQuery.MAX_LIMIT))),
                        true, this::pendingApprovals),
                new Tool("decide_approval", "Approve or deny a held tool call; the agent's retry of the same call then runs once.",
                        schema(Map.of("approval_id", stringProperty("The approval's id"),
                                "action", Json.object().put("type", "string").set("enum", Json.MAPPER.createArrayNode().add("approved").add("denied")),
                                "note", stringProperty("Why, for the audit log")), "approval_id", "action"),
                        true, this::decideApproval),
                new Tool("get_stats", "Counts of audited decisions by outcome, optionally since a time.",
                        schema(Map.of("since", stringProperty("ISO-8601 instant, e.g. 2026-01-01T00:00:00Z"))), true, this::stats),
                new Tool("list_logs", "The newest audited decisions, optionally filtered by decision and tool.",
                        schema(Map.of("decision", stringProperty("allowed, warned, blocked, pending, approved, denied or expired"),
                                "tool", stringProperty("A tool name"),
                                "limit", Json.object().put("type", "integer").put("minimum", 1).put("maximum", AuditQuery.MAX_LIMIT))),
                        true, this::logs),
                new Tool("list_blocked_tools", "The kill switch: tools blocked before any rule is looked at.",
                        schema(Map.of()), true, this::blockedTools),
                new Tool("block_tool", "Add a tool to the kill switch of this workspace.",
                        schema(Map.of("tool_name", stringProperty("The tool to block")), "tool_name"), true, this::block),
                new Tool("unblock_tool", "Remove a tool from the kill switch of this workspace.",
                        schema(Map.of("tool_name", stringProperty("The tool to unblock")), "tool_name"), true, this::unblock));
    }

    /** {@code tools/list} for {@code principal}: admin-only tools are not shown to an agent key. */
    ObjectNode list(Principal principal) {
        return McpJson.tree(new McpSchema.ListToolsResult(
                tools.stream().filter(tool -> allowed(tool, principal)).map(Tool::definition).toList(), null));
    }

    /** {@code tools/call}: the tool's result, or one with {@code isError} when the tool refused the call. */
    CompletableFuture<ObjectNode> call(Principal principal, String name, ObjectNode arguments) {
        Tool tool = tools.stream().filter(t -> t.name().equals(name) && allowed(t, principal)).findFirst()
                .orElseThrow(() -> new JsonRpc.Failure(JsonRpc.INVALID_PARAMS, "Unknown tool: " + name));
        CompletableFuture<ObjectNode> structured;
        try {
            structured = tool.handler().call(principal, arguments);
        } catch (ToolError | ApiError refused) {
            structured = CompletableFuture.failedFuture(refused);
        }
        return structured.handle((content, failure) -> {
            Throwable cause = failure != null && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof ToolError || cause instanceof ApiError) {
                return toolResult(Json.object().put("error", cause.getMessage()), true);
            }
            if (cause != null) {
                throw new JsonRpc.Failure(JsonRpc.INTERNAL_ERROR, "the gateway could not complete " + name + "; retry later");
            }
            return toolResult(content, false);
        });
    }

    private static boolean allowed(Tool tool, Principal principal) {
        return !tool.adminOnly() || principal.role() == Role.ADMIN;
    }

    private static ObjectNode toolResult(ObjectNode structured, boolean isError) {
        return McpJson.tree(McpSchema.CallToolResult.builder().addTextContent(structured.toString()).structuredContent(structured)
                .isError(isError).build());
    }

    private CompletableFuture<ObjectNode> checkToolCall(Principal principal, ObjectNode arguments) {
        String tool = requiredText(arguments, "tool_name");
        JsonNode callArguments = arguments.path("arguments");
        if (!callArguments.isMissingNode() && !callArguments.isNull() && !callArguments.isObject()) {
            throw new ToolError("arguments must be an object");
        }
        String argumentsJson = callArguments.isObject() ? callArguments.toString() : "{}";
        JsonNode id = arguments.path("tool_call_id");
        ToolCall call = new ToolCall(id.isTextual() ? id.textValue() : null, tool, argumentsJson);
        CallContext context = new CallContext(principal.workspace(), principal.name(), "", Map.of("source", "mcp", "path", "/mcp"));
        return gate.decide(new ToolCallGate.Request(context, "mcp", List.of(call), null, null, 0))
                .thenApply(gated -> InterceptEndpoint.answer(gated.get(0), publicUrl));
    }

    private CompletableFuture<ObjectNode> pendingApprovals(Principal principal, ObjectNode arguments) {
        ApprovalQuery query = new ApprovalQuery(principal.workspace(), ApprovalStatus.PENDING, optionalText(arguments, "tool"), null,
                limit(arguments), 1);
        return blocking.storageWork(() -> approvals.listing(query));
    }

    private CompletableFuture<ObjectNode> decideApproval(Principal principal, ObjectNode arguments) {
        String id = requiredText(arguments, "approval_id");
        ApprovalStatus to = PendingApprovalsEndpoints.decision(requiredText(arguments, "action"));
        String note = optionalText(arguments, "note");
        return blocking.storageWork(() -> approvals.decide(principal.workspace(), id, to, "mcp:" + principal.name(), note));
    }

    private CompletableFuture<ObjectNode> stats(Principal principal, ObjectNode arguments) {
        Instant since = instant(arguments, "since");
        return blocking.storageWork(() -> LogsEndpoints.stats(auditLog.countByDecision(principal.workspace(), since), since));
    }

    private CompletableFuture<ObjectNode> logs(Principal principal, ObjectNode arguments) {
        AuditQuery query = new AuditQuery(principal.workspace(), optionalText(arguments, "decision"), optionalText(arguments, "tool"),
                null, limit(arguments), 1);
        return blocking.storageWork(() -> LogsEndpoints.logs(auditLog.query(query)));
    }

    private CompletableFuture<ObjectNode> blockedTools(Principal principal, ObjectNode arguments) {
        return blocking.storageWork(() -> BlockedToolsEndpoints.listing(killSwitch, principal.workspace()));
    }

    private CompletableFuture<ObjectNode> block(Principal principal, ObjectNode arguments) {
        String tool = requiredText(arguments, "tool_name");
        return blocking.storageWork(() -> Json.object().put("tool_name", tool).put("blocked", true)
                .put("created", killSwitch.block(principal.workspace(), tool, principal.name())));
    }

    private CompletableFuture<ObjectNode> unblock(Principal principal, ObjectNode arguments) {
        String tool = requiredText(arguments, "tool_name");
        if (killSwitch.configured().contains(tool)) {
            throw new ToolError("'" + tool + "' is blocked by policy.blocked_tools in toolgate.yaml; remove it there");
        }
        return blocking.storageWork(() -> {
            if (!killSwitch.unblock(principal.workspace(), tool)) {
                throw new ToolError("'" + tool + "' is not on the blocked-tools list");
            }
            return Json.object().put("tool_name", tool).put("blocked", false);
        });
    }

    private static ObjectNode schema(Map<String, ObjectNode> properties, String... required) {
        ObjectNode schema = Json.object().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        properties.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> props.set(e.getKey(), e.getValue()));
        ArrayNode requiredList = schema.putArray("required");
        for (String name : required) {
            requiredList.add(name);
        }
        return schema;
    }

    private static ObjectNode stringProperty(String description) {
        return Json.object().put("type", "string").put("description", description);
    }

    private static String requiredText(ObjectNode arguments, String field) {
        JsonNode value = arguments.path(field);
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new ToolError(field + " is required: a non-empty string");
        }
        return value.textValue().trim();
    }

    private static String optionalText(ObjectNode arguments, String field) {
        JsonNode value = arguments.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ToolError(field + " must be a string");
        }
        return value.textValue().isBlank() ? null : value.textValue().trim();
    }

    private static int limit(ObjectNode arguments) {
        JsonNode limit = arguments.path("limit");
        if (limit.isMissingNode() || limit.isNull()) {
            return AuditQuery.DEFAULT_LIMIT;
        }
        if (!limit.isInt() || limit.intValue() < 1 || limit.intValue() > AuditQuery.MAX_LIMIT) {
            throw new ToolError("limit must be a whole number from 1 to " + AuditQuery.MAX_LIMIT);
        }
        return limit.intValue();
    }

    private static Instant instant(ObjectNode arguments, String field) {
        String text = optionalText(arguments, field);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ToolError(field + " must be an ISO-8601 instant such as 2026-01-01T00:00:00Z");
        }
    }
}
