package dev.toolgate.proxy.testing;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;

/**
 * A real MCP server built with the official SDK, to stand behind the gateway in tests: over stdio
 * (run {@link #main} as a child process, as the gateway does with {@code command}) or over
 * Streamable HTTP ({@link #http}, the SDK's servlet transport in an embedded Tomcat). Its tools
 * record every call that reaches them, so a test can prove what the gateway did not forward; it
 * also offers one resource and one prompt.
 */
public final class DemoMcpServer {
    /** The one resource it offers. */
    public static final String README_URI = "file:///srv/readme.txt";
    /** Every tool call that reached this server, in order, as {@code name arguments}. */
    private static final List<String> CALLS = new ArrayList<>();

    private DemoMcpServer() {
    }

    /**
     * Serves over stdio until the gateway stops the process, or until the process that started it
     * is gone (a test JVM that ended without stopping its gateway must not leave it running).
     */
    public static void main(String[] args) throws InterruptedException {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        build(McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper())), () -> Runtime.getRuntime().halt(3));
        new CountDownLatch(1).await();
    }

    /** The command that starts this server over stdio, with the test class path. */
    public static List<String> stdioCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), DemoMcpServer.class.getName());
    }

    /** The server over Streamable HTTP at {@code http://127.0.0.1:<port>/mcp}. */
    public static Http http() {
        return new Http();
    }

    /** A running HTTP server; close stops it. */
    public static final class Http implements AutoCloseable {
        private final Tomcat tomcat = new Tomcat();
        /** Tomcat's work folder, this test JVM's own; deleted when the server stops. */
        private final Path baseDir = Path.of(System.getProperty("java.io.tmpdir"), "toolgate-demo-mcp-" + ProcessHandle.current().pid());
        private boolean stopped;

        private Http() {
            synchronized (CALLS) {
                CALLS.clear();  // one server at a time in a test JVM
            }
            HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                    .jsonMapper(McpJsonDefaults.getMapper()).mcpEndpoint("/mcp").build();
            build(McpServer.sync(transport), this::crash);
            tomcat.setBaseDir(baseDir.toAbsolutePath().toString());
            tomcat.setHostname("127.0.0.1");
            tomcat.setPort(0);
            tomcat.getConnector();
            Context context = tomcat.addContext("", null);
            Wrapper servlet = Tomcat.addServlet(context, "mcp", transport);
            servlet.setAsyncSupported(true);
            context.addServletMappingDecoded("/mcp", "mcp");
            try {
                tomcat.start();
            } catch (LifecycleException e) {
                throw new IllegalStateException(e);
            }
        }

        public String url() {
            return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/mcp";
        }

        /** What reached the server's tools. */
        public List<String> calls() {
            synchronized (CALLS) {
                return List.copyOf(CALLS);
            }
        }

        /** The server dies in the middle of a call: its connections are cut. */
        private void crash() {
            new Thread(this::close).start();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public synchronized void close() {
            if (stopped) {
                return;  // crashed already
            }
            stopped = true;
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (LifecycleException e) {
                throw new IllegalStateException(e);
            }
            if (!Files.exists(baseDir)) {
                return;
            }
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static McpSyncServer build(McpServer.SyncSpecification<?> spec, Runnable crash) {
        return spec.serverInfo("demo-files", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).resources(false, false).prompts(false).build())
                .resources(new SyncResourceSpecification(McpSchema.Resource.builder().uri(README_URI).name("readme")
                        .mimeType("text/plain").build(), (exchange, request) -> new McpSchema.ReadResourceResult(
                        List.of(new McpSchema.TextResourceContents(request.uri(), "text/plain", "read me first")))))
                .prompts(new SyncPromptSpecification(new McpSchema.Prompt("summarize", "Summarize the shared folder", List.of()),
                        (exchange, request) -> new McpSchema.GetPromptResult("Summarize", List.of(new McpSchema.PromptMessage(
                                McpSchema.Role.USER, new McpSchema.TextContent("Summarize the shared folder."))))))
                .tools(List.of(
                        tool("read_file", "Reads a file", (exchange, request) -> text("contents of " + request.arguments().get("path"))),
                        tool("delete_file", "Deletes a file", (exchange, request) -> text("deleted " + request.arguments().get("path"))),
                        tool("wire_transfer", "Sends money", (exchange, request) -> text("sent " + request.arguments().get("amount"))),
                        tool("long_report", "Reports progress, then answers", DemoMcpServer::longReport),
                        tool("calls_made", "What reached this server", (exchange, request) -> {
                            synchronized (CALLS) {
                                return text(String.join("\n", CALLS));
                            }
                        }),
                        tool("crash", "Dies in the middle of the call", (exchange, request) -> {
                            crash.run();
                            return text("unreachable");
                        })))
                .build();
    }

    private static McpSchema.CallToolResult longReport(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        Object token = request.meta() == null ? null : request.meta().get("progressToken");
        if (token != null) {
            for (int step = 1; step <= 3; step++) {
                exchange.progressNotification(new McpSchema.ProgressNotification(token, step, 3.0, "step " + step));
            }
        }
        return text("report done");
    }

    private static SyncToolSpecification tool(String name, String description,
                                              BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler) {
        McpSchema.Tool tool = McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(Map.of("type", "object", "properties", Map.of())).build();
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            if (!name.equals("calls_made")) {
                synchronized (CALLS) {
                    CALLS.add(name + " " + request.arguments());
                }
            }
            return handler.apply(exchange, request);
        }).build();
    }

    private static McpSchema.CallToolResult text(String text) {
        return McpSchema.CallToolResult.builder().addTextContent(text).isError(false).build();
    }
}
