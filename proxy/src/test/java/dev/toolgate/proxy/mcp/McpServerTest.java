package dev.toolgate.proxy.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Toolgate as an MCP server over Streamable HTTP and legacy SSE, driven by the official MCP Java
 * SDK client: the session handshake, the keys it accepts, the tools each role sees, check_tool_call
 * through the decision path (audited with source mcp), the admin tools, and the JSON-RPC errors
 * for bad input.
 */
class McpServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private TestGateway gateway;
    private McpSyncClient client;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() {
        gateway = TestGateway.start(NO_UPSTREAM);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.closeGracefully();
        }
        gateway.close();
    }

    private McpSyncClient connect(String key) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(gateway.baseUrl())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("x-toolgate-key", key))
                .build();
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(10)).build();
        client.initialize();
        return client;
    }

    private static JsonNode structured(McpSchema.CallToolResult result) {
        return JSON.valueToTree(result.structuredContent());
    }

    @Test
    void anAgentKeySeesOnlyCheckToolCallAndItsDecisionsAreAudited() {
        McpSyncClient agent = connect(TestGateway.AGENT_KEY);

        assertThat(agent.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("check_tool_call");

        McpSchema.CallToolResult blocked = agent.callTool(new McpSchema.CallToolRequest("check_tool_call",
                Map.of("tool_name", "delete_file", "arguments", Map.of("path", "/var/data/customers.csv"))));
        assertThat(blocked.isError()).isFalse();
        JsonNode decision = structured(blocked);
        assertThat(decision.path("allowed").asBoolean()).isFalse();
        assertThat(decision.path("status").asText()).isEqualTo("blocked");
        assertThat(decision.path("rule").asText()).isEqualTo("no-deletes");

        JsonNode held = structured(agent.callTool(new McpSchema.CallToolRequest("check_tool_call",
                Map.of("tool_name", "wire_transfer", "arguments", Map.of("amount", 5000)))));
        assertThat(held.path("status").asText()).isEqualTo("pending_approval");
        assertThat(held.path("approval_url").asText()).contains("/api/pending-approvals/");

        List<AuditEvent> events = gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
        assertThat(events).hasSize(2).allSatisfy(event -> {
            assertThat(event.source()).isEqualTo("mcp");
            assertThat(event.agent()).isEqualTo("support-bot");
        });
    }

    @Test
    void aLegacySseClientWithTheKeyInTheUrlGetsTheToolsOfItsRole() {
        HttpClientSseClientTransport transport = HttpClientSseClientTransport.builder(gateway.baseUrl())
                .sseEndpoint("/sse?api_key=" + TestGateway.ADMIN_KEY).build();
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(10)).build();
        client.initialize();

        assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("check_tool_call", "block_tool");
        JsonNode decision = structured(client.callTool(new McpSchema.CallToolRequest("check_tool_call",
                Map.of("tool_name", "delete_file", "arguments", Map.of("path", "/tmp/x")))));
        assertThat(decision.path("status").asText()).isEqualTo("blocked");
    }

    @Test
    void aBearerKeyIsAcceptedOnMcpRoutesOnly() throws IOException {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(gateway.baseUrl()).endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + TestGateway.AGENT_KEY)).build();
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(10)).build();
        client.initialize();
        assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("check_tool_call");

        try (Response response = http.newCall(new Request.Builder().url(gateway.baseUrl() + "/api/intercept")
                .header("Authorization", "Bearer " + TestGateway.AGENT_KEY)
                .post(RequestBody.create("{\"tool_name\":\"read_file\"}", JSON_TYPE)).build()).execute()) {
            assertThat(response.code()).as("elsewhere Authorization belongs to the provider").isEqualTo(401);
        }
    }

    @Test
    void aLegacyMessageForAnUnknownSessionIs404() throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(gateway.baseUrl() + "/messages?sessionId=nope")
                .post(RequestBody.create("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", JSON_TYPE)).build()).execute()) {
            assertThat(response.code()).isEqualTo(404);
        }
    }

    @Test
    void anAgentKeyCannotCallAnAdminTool() {
        McpSyncClient agent = connect(TestGateway.AGENT_KEY);

        assertThatThrownBy(() -> agent.callTool(new McpSchema.CallToolRequest("block_tool", Map.of("tool_name", "run_shell"))))
                .hasMessageContaining("Unknown tool: block_tool");
        assertThat(gateway.gateway().storage().blockedTools().list("default")).isEmpty();
    }

    @Test
    void anAdminKeyManagesTheKillSwitchAndReadsTheAudit() {
        McpSyncClient admin = connect(TestGateway.ADMIN_KEY);
        assertThat(admin.listTools().tools()).extracting(McpSchema.Tool::name)
                .containsExactly("check_tool_call", "list_pending_approvals", "decide_approval", "get_stats", "list_logs",
                        "list_blocked_tools", "block_tool", "unblock_tool");

        JsonNode blocked = structured(admin.callTool(new McpSchema.CallToolRequest("block_tool", Map.of("tool_name", "run_shell"))));
        assertThat(blocked.path("created").asBoolean()).isTrue();
        JsonNode decision = structured(admin.callTool(new McpSchema.CallToolRequest("check_tool_call", Map.of("tool_name", "run_shell"))));
        assertThat(decision.path("rule").asText()).isEqualTo("kill-switch");
        JsonNode listed = structured(admin.callTool(new McpSchema.CallToolRequest("list_blocked_tools", Map.of())));
        assertThat(listed.path("blocked_tools")).extracting(tool -> tool.path("tool_name").asText()).contains("run_shell", "drop_database");

        JsonNode stats = structured(admin.callTool(new McpSchema.CallToolRequest("get_stats", Map.of())));
        assertThat(stats.path("blocked").asLong()).isEqualTo(1);
        JsonNode logs = structured(admin.callTool(new McpSchema.CallToolRequest("list_logs", Map.of("tool", "run_shell"))));
        assertThat(logs.path("logs")).hasSize(1);

        assertThat(structured(admin.callTool(new McpSchema.CallToolRequest("unblock_tool", Map.of("tool_name", "run_shell"))))
                .path("blocked").asBoolean()).isFalse();
        McpSchema.CallToolResult again = admin.callTool(new McpSchema.CallToolRequest("unblock_tool", Map.of("tool_name", "run_shell")));
        assertThat(again.isError()).isTrue();
        assertThat(structured(again).path("error").asText()).contains("not on the blocked-tools list");
    }

    @Test
    void aCallHeldThroughMcpIsApprovedThroughMcpAndItsRetryRunsOnce() {
        McpSyncClient admin = connect(TestGateway.ADMIN_KEY);
        McpSchema.CallToolRequest wire = new McpSchema.CallToolRequest("check_tool_call",
                Map.of("tool_name", "wire_transfer", "arguments", Map.of("amount", 5000, "to", "acme")));
        String approvalId = structured(admin.callTool(wire)).path("approval_id").asText();

        JsonNode pending = structured(admin.callTool(new McpSchema.CallToolRequest("list_pending_approvals", Map.of("tool", "wire_transfer"))));
        assertThat(pending.path("approvals")).extracting(approval -> approval.path("id").asText()).containsExactly(approvalId);

        JsonNode decided = structured(admin.callTool(new McpSchema.CallToolRequest("decide_approval",
                Map.of("approval_id", approvalId, "action", "approved", "note", "invoice checked"))));
        assertThat(decided.path("status").asText()).isEqualTo("approved");

        JsonNode retried = structured(admin.callTool(wire));
        assertThat(retried.path("allowed").asBoolean()).isTrue();
        assertThat(retried.path("approval_id").asText()).isEqualTo(approvalId);
        assertThat(structured(admin.callTool(wire)).path("status").asText()).as("an approval releases one call").isEqualTo("pending_approval");

        McpSchema.CallToolResult unknown = admin.callTool(new McpSchema.CallToolRequest("decide_approval",
                Map.of("approval_id", "no-such-approval", "action", "approved")));
        assertThat(unknown.isError()).isTrue();
        McpSchema.CallToolResult badAction = admin.callTool(new McpSchema.CallToolRequest("decide_approval",
                Map.of("approval_id", approvalId, "action", "maybe")));
        assertThat(badAction.isError()).isTrue();
    }

    private Response post(String body, String sessionId) throws IOException {
        Request.Builder request = new Request.Builder().url(gateway.baseUrl() + "/mcp")
                .header("x-toolgate-key", TestGateway.AGENT_KEY)
                .header("Accept", "application/json, text/event-stream")
                .post(RequestBody.create(body, JSON_TYPE));
        if (sessionId != null) {
            request.header(StreamableHttpTransport.SESSION_HEADER, sessionId);
        }
        return http.newCall(request.build()).execute();
    }

    private String initialize(String protocolVersion) throws IOException {
        try (Response response = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + protocolVersion + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}", null)) {
            assertThat(response.code()).isEqualTo(200);
            JsonNode result = JSON.readTree(response.body().string()).path("result");
            assertThat(result.path("serverInfo").path("name").asText()).isEqualTo("toolgate");
            return response.header(StreamableHttpTransport.SESSION_HEADER) + " " + result.path("protocolVersion").asText();
        }
    }

    @Test
    void theProtocolVersionIsNegotiated() throws IOException {
        assertThat(initialize("2025-03-26")).endsWith(" 2025-03-26");
        assertThat(initialize("1999-01-01")).endsWith(" " + McpMessages.VERSIONS.get(0));
    }

    @Test
    void badInputGetsTheJsonRpcErrorTheSpecificationNames() throws IOException {
        try (Response response = post("{not json", null)) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(JSON.readTree(response.body().string()).path("error").path("code").asInt()).isEqualTo(-32700);
        }
        try (Response response = post("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", null)) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(JSON.readTree(response.body().string()).path("error").path("code").asInt()).isEqualTo(-32600);
        }
        try (Response response = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", null)) {
            assertThat(response.code()).as("no session").isEqualTo(400);
        }
        try (Response response = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", "no-such-session")) {
            assertThat(response.code()).isEqualTo(404);
        }
        String session = initialize("2025-11-25").split(" ")[0];
        try (Response response = post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/list\"}", session)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(JSON.readTree(response.body().string()).path("error").path("code").asInt()).isEqualTo(-32601);
        }
        try (Response response = post("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}", session)) {
            assertThat(JSON.readTree(response.body().string()).path("error").path("code").asInt()).isEqualTo(-32602);
        }
        try (Response response = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session)) {
            assertThat(response.code()).isEqualTo(202);
        }
        try (Response response = http.newCall(new Request.Builder().url(gateway.baseUrl() + "/mcp")
                .header("x-toolgate-key", TestGateway.AGENT_KEY).get().build()).execute()) {
            assertThat(response.code()).isEqualTo(405);
        }
        try (Response response = http.newCall(new Request.Builder().url(gateway.baseUrl() + "/mcp")
                .header("x-toolgate-key", TestGateway.ADMIN_KEY).header(StreamableHttpTransport.SESSION_HEADER, session).delete().build()).execute()) {
            assertThat(response.code()).as("another key's session is not found").isEqualTo(404);
        }
        try (Response response = http.newCall(new Request.Builder().url(gateway.baseUrl() + "/mcp")
                .header("x-toolgate-key", TestGateway.AGENT_KEY).header(StreamableHttpTransport.SESSION_HEADER, session).delete().build()).execute()) {
            assertThat(response.code()).isEqualTo(204);
        }
        try (Response response = post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}", session)) {
            assertThat(response.code()).as("ended session").isEqualTo(404);
        }
    }

    @Test
    void anOversizedMessageGetsAJsonRpcErrorAndTheRestOfTheApiItsUsualOne() throws IOException {
        try (TestGateway small = TestGateway.builder(NO_UPSTREAM).extra("limits: { max_request_size: 1KiB }\n").start()) {
            String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(2048) + "\"}}";
            try (Response response = small.post("/mcp", TestGateway.AGENT_KEY, big)) {
                assertThat(response.code()).isEqualTo(413);
                JsonNode error = JSON.readTree(response.body().string());
                assertThat(error.path("jsonrpc").asText()).isEqualTo("2.0");
                assertThat(error.path("error").path("code").asInt()).isEqualTo(-32600);
            }
            try (Response response = small.post("/api/intercept", TestGateway.AGENT_KEY, big)) {
                assertThat(response.code()).isEqualTo(413);
                assertThat(JSON.readTree(response.body().string()).path("error").path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
            }
        }
    }

    @Test
    void aKeyInTheQueryWorksAndNoKeyIs401() throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(gateway.baseUrl() + "/mcp?api_key=" + TestGateway.AGENT_KEY)
                .post(RequestBody.create("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", JSON_TYPE)).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        try (Response response = http.newCall(new Request.Builder().url(gateway.baseUrl() + "/mcp")
                .post(RequestBody.create("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", JSON_TYPE)).build()).execute()) {
            assertThat(response.code()).isEqualTo(401);
        }
    }
}
