package dev.toolgate.proxy.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.proxy.testing.DemoMcpServer;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Toolgate as a gateway in front of a real MCP server (built with the official SDK), driven by
 * the SDK's client: every tools/call is decided first and only released calls reach the server;
 * blocked tools are hidden; a held call runs once after approval; progress, resources and prompts
 * pass through; a server that dies mid-call gives an error, not a hang. Subclasses reach the
 * server over stdio and over Streamable HTTP.
 */
abstract class McpGatewayContract {
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";

    protected TestGateway gateway;
    private final List<McpSyncClient> clients = new ArrayList<>();

    /** The {@code mcp.servers} entry of a server named {@code files}. */
    protected abstract String serverYaml();

    /** Whether the server comes back by itself after it died (the gateway restarts a process it runs). */
    protected abstract boolean restartsAfterCrash();

    @BeforeEach
    void startGateway() {
        gateway = TestGateway.builder(NO_UPSTREAM).extra("mcp:\n  timeout: 20s\n  servers:\n" + serverYaml()).start();
    }

    @AfterEach
    void stopGateway() {
        clients.forEach(McpSyncClient::closeGracefully);
        gateway.close();
    }

    private McpSyncClient connect(McpClientTransport transport, List<McpSchema.ProgressNotification> progress) {
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30))
                .progressConsumer(progress::add).build();
        clients.add(client);
        client.initialize();
        return client;
    }

    private McpSyncClient agent() {
        return connect(HttpClientStreamableHttpTransport.builder(gateway.baseUrl()).endpoint("/mcp/files")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + TestGateway.AGENT_KEY)).build(), new ArrayList<>());
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        return client.callTool(new McpSchema.CallToolRequest(tool, arguments));
    }

    private List<AuditEvent> audit() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
    }

    @Test
    void theServerIsInitializedThroughTheGatewayAndBlockedToolsAreHidden() throws IOException {
        McpSyncClient agent = agent();
        assertThat(agent.getServerInfo().name()).isEqualTo("demo-files");
        assertThat(agent.listTools().tools()).extracting(McpSchema.Tool::name)
                .contains("read_file", "wire_transfer").doesNotContain("delete_file");

        try (Response blocked = gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":\"files.crash\"}")) {
            assertThat(blocked.code()).isEqualTo(201);
        }
        assertThat(agent.listTools().tools()).extracting(McpSchema.Tool::name).doesNotContain("crash", "delete_file");
    }

    @Test
    void anAllowedCallIsForwardedAndABlockedOneNeverReachesTheServer() {
        McpSyncClient agent = agent();

        McpSchema.CallToolResult read = call(agent, "read_file", Map.of("path", "/srv/notes.txt"));
        assertThat(read.isError()).isFalse();
        assertThat(text(read)).isEqualTo("contents of /srv/notes.txt");

        McpSchema.CallToolResult deleted = call(agent, "delete_file", Map.of("path", "/srv/notes.txt"));
        assertThat(deleted.isError()).isTrue();
        assertThat(text(deleted)).contains("Tool 'files.delete_file' is blocked by governance policy").contains("no-deletes");

        assertThat(text(call(agent, "calls_made", Map.of()))).contains("read_file").doesNotContain("delete_file");
        assertThat(audit()).filteredOn(event -> event.tool().startsWith("files.")).allSatisfy(event -> {
            assertThat(event.source()).isEqualTo("mcp");
            assertThat(event.agent()).isEqualTo("support-bot");
        }).extracting(event -> event.tool() + " " + event.decision())
                .contains("files.read_file allowed", "files.delete_file blocked");
    }

    @Test
    void aHeldCallRunsExactlyOnceAfterItIsApproved() throws IOException {
        McpSyncClient agent = agent();
        Map<String, Object> transfer = Map.of("amount", 5000, "to", "acme");

        McpSchema.CallToolResult held = call(agent, "wire_transfer", transfer);
        assertThat(held.isError()).isTrue();
        assertThat(text(held)).contains("Retry once approved").contains("/api/pending-approvals/");
        String approvalId = text(held).replaceAll(".*Approval ([0-9a-f-]{36}).*", "$1");
        try (Response decided = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\"}")) {
            assertThat(decided.code()).isEqualTo(200);
        }

        McpSchema.CallToolResult released = call(agent, "wire_transfer", transfer);
        assertThat(released.isError()).isFalse();
        assertThat(text(released)).isEqualTo("sent 5000");
        assertThat(call(agent, "wire_transfer", transfer).isError()).as("one approval, one call").isTrue();
        assertThat(text(call(agent, "calls_made", Map.of())).lines().filter(line -> line.startsWith("wire_transfer"))).hasSize(1);
    }

    @Test
    void progressReachesTheClientThatAskedForIt() throws InterruptedException {
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        McpSyncClient agent = connect(HttpClientStreamableHttpTransport.builder(gateway.baseUrl()).endpoint("/mcp/files")
                .requestBuilder(HttpRequest.newBuilder().header("x-toolgate-key", TestGateway.AGENT_KEY)).build(), progress);

        McpSchema.CallToolResult report = agent.callTool(McpSchema.CallToolRequest.builder().name("long_report")
                .arguments(Map.of()).progressToken("report-1").build());

        assertThat(text(report)).isEqualTo("report done");
        // The SDK hands notifications to its consumer on threads of its own: they may land after the answer, and out of order.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (progress.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(progress).extracting(McpSchema.ProgressNotification::progressToken).containsOnly("report-1");
        assertThat(progress).extracting(McpSchema.ProgressNotification::message)
                .containsExactlyInAnyOrder("step 1", "step 2", "step 3");
    }

    @Test
    void aServerThatDiesMidCallGivesAnErrorNotAHang() throws Exception {
        McpSyncClient agent = agent();
        long started = System.nanoTime();

        assertThatThrownBy(() -> call(agent, "crash", Map.of())).hasMessageContaining("MCP server 'files'");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        if (restartsAfterCrash()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try {
                    assertThat(text(call(agent, "read_file", Map.of("path", "/again")))).isEqualTo("contents of /again");
                    break;
                } catch (RuntimeException stillDown) {
                    assertThat(System.nanoTime()).as("restarted in time: " + stillDown.getMessage()).isLessThan(deadline);
                    Thread.sleep(250);
                }
            }
        }
    }

    @Test
    void aLegacySseClientReachesTheServerThroughTheGateway() {
        McpSyncClient legacy = connect(HttpClientSseClientTransport.builder(gateway.baseUrl()).sseEndpoint("/sse/files?api_key="
                + TestGateway.AGENT_KEY).build(), new ArrayList<>());

        assertThat(legacy.listTools().tools()).extracting(McpSchema.Tool::name).contains("read_file").doesNotContain("delete_file");
        assertThat(text(call(legacy, "read_file", Map.of("path", "/legacy")))).isEqualTo("contents of /legacy");
        assertThat(call(legacy, "delete_file", Map.of("path", "/legacy")).isError()).isTrue();
    }

    @Test
    void resourcesAndPromptsPassThrough() {
        McpSyncClient agent = agent();

        assertThat(agent.listResources().resources()).extracting(McpSchema.Resource::uri).containsExactly(DemoMcpServer.README_URI);
        McpSchema.ReadResourceResult read = agent.readResource(new McpSchema.ReadResourceRequest(DemoMcpServer.README_URI));
        assertThat(((McpSchema.TextResourceContents) read.contents().get(0)).text()).isEqualTo("read me first");
        assertThat(agent.listPrompts().prompts()).extracting(McpSchema.Prompt::name).containsExactly("summarize");
        McpSchema.GetPromptResult prompt = agent.getPrompt(new McpSchema.GetPromptRequest("summarize", Map.of()));
        assertThat(((McpSchema.TextContent) prompt.messages().get(0).content()).text()).isEqualTo("Summarize the shared folder.");
    }

    @Test
    void anUnknownServerIs404() throws IOException {
        try (Response response = gateway.post("/mcp/nope", TestGateway.AGENT_KEY,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}")) {
            assertThat(response.code()).isEqualTo(404);
            assertThat(response.body().string()).contains("no MCP server 'nope'");
        }
    }
}
