package dev.toolgate.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.toolgate.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The run the build records a class-data-sharing archive from: starts a gateway on loopback with a
 * fresh database, sends it the kinds of request it serves (text, an allowed call, a blocked call,
 * a stream, a health check, an audit read) against an upstream stand-in, and stops it.
 *
 * <p>Run as {@code java -XX:ArchiveClassesAtExit=toolgate.jsa -cp toolgate.jar
 * dev.toolgate.proxy.StartupTraining}; {@code java -XX:SharedArchiveFile=toolgate.jsa -jar
 * toolgate.jar ...} then maps the classes this run loaded, already parsed and verified, instead of
 * loading them from the jar: about 8,000 classes, most of a start's CPU on two cores. A JVM that
 * cannot use the archive (another JDK build, a rebuilt jar) says so in one warning line and starts as
 * without it.
 */
public final class StartupTraining {
    private static final String AGENT_KEY = "tg-training-agent-key";
    private static final String ADMIN_KEY = "tg-training-admin-key";

    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("toolgate-training");
        HttpServer upstream = startUpstream();
        try {
            Path config = work.resolve("toolgate.yaml");
            Files.writeString(config, config(upstream.getAddress().getPort(), work.resolve("toolgate")));
            try (Gateway gateway = Gateway.start(ConfigLoader.read(config, Map.of()), Clock.systemUTC())) {
                exercise(gateway.port());
            }
        } finally {
            upstream.stop(0);
            deleteTree(work);
        }
    }

    private static String config(int upstreamPort, Path database) {
        return """
                server:
                  host: 127.0.0.1
                  port: 0
                  public_url: http://127.0.0.1:8080
                upstream:
                  base_url: http://127.0.0.1:%d/v1
                storage:
                  url: "jdbc:h2:file:%s"
                keys:
                  - { name: training-agent, key: %s, role: agent }
                  - { name: training-admin, key: %s, role: admin }
                policy:
                  default: allow
                  on_error: block
                  blocked_tools: [drop_database]
                rules:
                  - id: srv-reads
                    tools: [read_file, "list_*"]
                    when: has(args.path) && args.path.startsWith('/srv/') && !args.path.matches('.*\\\\.key$')
                    action: allow
                  - id: no-file-deletion
                    tools: [delete_file]
                    action: block
                  - id: large-payments
                    tools: [pay]
                    when: has(args.amount) && args.amount > 100
                    action: approve
                    approver_email: finance@example.com
                """.formatted(upstreamPort, database.toString().replace('\\', '/'), AGENT_KEY, ADMIN_KEY);
    }

    /** The requests whose classes a served request loads: every answer must be a 200. */
    private static void exercise(int port) throws IOException {
        for (String scenario : List.of("text", "one_call", "blocked", "stream")) {
            String body = scenario.equals("stream")
                    ? "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                    : "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            expectOk(port, "POST /v1/chat/completions", AGENT_KEY, scenario, body);
        }
        expectOk(port, "GET /healthz", null, null, null);
        expectOk(port, "GET /readyz", null, null, null);
        expectOk(port, "GET /api/logs", ADMIN_KEY, null, null);
    }

    private static void expectOk(int port, String requestLine, String key, String scenario, String body) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(requestLine).append(" HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n");
        if (key != null) {
            head.append("x-api-key: ").append(key).append("\r\n");
        }
        if (scenario != null) {
            head.append("x-scenario: ").append(scenario).append("\r\n");
        }
        if (body != null) {
            head.append("content-type: application/json\r\ncontent-length: ").append(content.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!answer.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException(requestLine + " (" + scenario + ") answered: " + answer);
            }
        }
    }

    /** Answers chat completions as the {@code x-scenario} header asks. */
    private static HttpServer startUpstream() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", StartupTraining::answer);
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream request = exchange.getRequestBody()) {
            request.readAllBytes();
            String scenario = String.valueOf(exchange.getRequestHeaders().getFirst("x-scenario"));
            boolean stream = scenario.equals("stream");
            byte[] body = (switch (scenario) {
                case "one_call" -> completion(toolCall("read_file", "{\\\"path\\\":\\\"/srv/report.txt\\\"}"));
                case "blocked" -> completion(toolCall("delete_file", "{\\\"path\\\":\\\"/srv/old.txt\\\"}"));
                case "stream" -> "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
                        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
                default -> completion("\"content\":\"Hello\"");
            }).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("content-type", stream ? "text/event-stream" : "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static String toolCall(String name, String escapedArguments) {
        return "\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\""
                + name + "\",\"arguments\":\"" + escapedArguments + "\"}}]";
    }

    private static String completion(String message) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\"," + message + "},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
