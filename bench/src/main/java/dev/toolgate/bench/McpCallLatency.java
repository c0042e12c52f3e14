package dev.toolgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.proxy.Gateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The latency a governed MCP {@code tools/call} adds: {@code clients} threads, each with its own
 * MCP session, call one tool of a downstream MCP server over Streamable HTTP as fast as answers
 * come, first directly and then through the gateway ({@code /mcp/bench}, where each call is
 * decided and audited), and the p50 / p99 of both are printed side by side. The downstream server
 * answers at once, so the difference is the gateway's. Run by {@code bench/run}, or:
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.toolgate.bench.McpCallLatency [seconds] [durability] [clients...]</pre>
 */
public final class McpCallLatency {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "bench-agent-key-0123456789";

    private McpCallLatency() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        String durability = args.length > 1 ? args[1] : "sync";
        int[] clients = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {1, 32};
        ExecutorService downstreamThreads = Executors.newFixedThreadPool(8);
        HttpServer downstream = downstream(downstreamThreads);
        Path dir = Files.createTempDirectory("toolgate-mcp-bench");
        Path config = dir.resolve("toolgate.yaml");
        Files.writeString(config, """
                server: { host: 127.0.0.1, port: 0 }
                storage: { url: "jdbc:h2:file:%s/db", durability: %s }
                logging: { access: false }
                keys:
                  - { name: bench-agent, key: "%s", role: agent }
                rules:
                  - { id: no-deletes, tools: [delete_file], action: block }
                mcp:
                  servers:
                    - { name: bench, url: "http://127.0.0.1:%d/mcp" }
                """.formatted(dir.toAbsolutePath(), durability, KEY, downstream.getAddress().getPort()));
        try (Gateway gateway = Gateway.start(ConfigLoader.load(config, Map.of()))) {
            String direct = "http://127.0.0.1:" + downstream.getAddress().getPort() + "/mcp";
            String governed = "http://127.0.0.1:" + gateway.port() + "/mcp/bench";
            System.out.println("| clients | direct p50 | direct p99 | through Toolgate p50 | through Toolgate p99 | added p50 | added p99 | calls/s through Toolgate |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (int n : clients) {
                run(direct, n, Math.max(2, seconds / 2));  // warm-up
                run(governed, n, Math.max(2, seconds / 2));
                Result plain = run(direct, n, seconds);
                Result gated = run(governed, n, seconds);
                System.out.printf("| %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.0f |%n", n,
                        plain.p(50), plain.p(99), gated.p(50), gated.p(99), gated.p(50) - plain.p(50), gated.p(99) - plain.p(99),
                        gated.rate());
            }
        } finally {
            downstream.stop(0);
            downstreamThreads.shutdownNow();  // HttpServer.stop leaves its executor running, and the JVM with it
        }
    }

    /** Latencies of every call made in one run. */
    private record Result(long[] nanos, int seconds) {
        double p(int percentile) {
            int index = Math.min(nanos.length - 1, (int) Math.ceil(percentile / 100.0 * nanos.length) - 1);
            return nanos[Math.max(0, index)] / 1e6;
        }

        double rate() {
            return nanos.length / (double) seconds;
        }
    }

    private static Result run(String url, int clients, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            results.add(pool.submit(() -> client(url, deadline)));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> result : results) {
            all.addAll(result.get());
        }
        pool.shutdown();
        return new Result(all.stream().mapToLong(Long::longValue).sorted().toArray(), seconds);
    }

    /** One MCP session calling read_file until the deadline; each call's latency. */
    private static List<Long> client(String url, long deadline) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> initialized = http.send(post(url, null,
                "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
        String session = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();
        http.send(post(url, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.discarding());
        List<Long> latencies = new ArrayList<>();
        for (int id = 1; System.nanoTime() < deadline; id++) {
            String call = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\","
                    + "\"arguments\":{\"path\":\"/srv/report-" + id + ".txt\"}}}";
            long started = System.nanoTime();
            HttpResponse<String> answer = http.send(post(url, session, call), HttpResponse.BodyHandlers.ofString());
            latencies.add(System.nanoTime() - started);
            if (answer.statusCode() != 200 || !answer.body().contains("\"isError\":false")) {
                throw new IllegalStateException("unexpected answer from " + url + ": " + answer.statusCode() + " " + answer.body());
            }
        }
        return latencies;
    }

    private static HttpRequest post(String url, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("x-toolgate-key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return request.build();
    }

    /** A minimal Streamable HTTP MCP server with one tool that answers at once: the same for both paths. */
    private static HttpServer downstream(ExecutorService threads) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");  // else delayed ACKs add 40 ms to every answer
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(threads);
        server.createContext("/mcp", McpCallLatency::answer);
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(exchange.getRequestMethod().equals("DELETE") ? 204 : 405, -1);
                return;
            }
            JsonNode message = JSON.readTree(exchange.getRequestBody());
            JsonNode id = message.get("id");
            if (id == null) {
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            ObjectNode reply = JSON.createObjectNode().put("jsonrpc", "2.0").set("id", id);
            ObjectNode result = reply.putObject("result");
            switch (message.path("method").asText()) {
                case "initialize" -> {
                    result.put("protocolVersion", message.path("params").path("protocolVersion").asText());
                    result.putObject("capabilities").putObject("tools");
                    result.putObject("serverInfo").put("name", "bench-files").put("version", "1");
                    exchange.getResponseHeaders().set("Mcp-Session-Id", UUID.randomUUID().toString());
                }
                case "tools/call" -> {
                    result.putArray("content").addObject().put("type", "text")
                            .put("text", "contents of " + message.path("params").path("arguments").path("path").asText());
                    result.put("isError", false);
                }
                case "tools/list" -> result.putArray("tools").addObject().put("name", "read_file")
                        .putObject("inputSchema").put("type", "object");
                default -> { }
            }
            byte[] body = JSON.writeValueAsBytes(reply);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}
