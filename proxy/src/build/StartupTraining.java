import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The run the build records the class-data-sharing archive from, kept out of the shipped jar: a
 * single-file program ({@code java StartupTraining.java <toolgate.jar> <archive>}) that starts the
 * built jar exactly as an operator does ({@code java -jar toolgate.jar --config ...}) with
 * {@code -XX:ArchiveClassesAtExit} (or, on JDK 25 and later, recording for an ahead-of-time cache),
 * on loopback with a fresh database and an upstream stand-in, sends it the kinds of request it
 * serves (text, an allowed call, a blocked call, a stream, health checks, an audit read), and stops
 * it with SIGTERM; the JVM writes the archive as it exits.
 *
 * <p>The archive must be recorded from the jar alone on the class path: a JVM maps it only when its
 * own class path starts with the one recorded. Hence a child process rather than training classes
 * beside the jar.
 */
public final class StartupTraining {
    private static final String AGENT_KEY = "tg-training-agent-key";
    private static final String ADMIN_KEY = "tg-training-admin-key";
    private static final Pattern LISTENING = Pattern.compile("Toolgate listening on [^ ]*:(\\d+) ");
    private static final long START_SECONDS = 120;

    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java StartupTraining.java <toolgate.jar> <archive.jsa>");
            System.exit(64);
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path archive = Path.of(args[1]).toAbsolutePath();
        Files.deleteIfExists(archive);
        Path work = Files.createTempDirectory("toolgate-training");
        HttpServer upstream = startUpstream();
        try {
            Path config = work.resolve("toolgate.yaml");
            Files.writeString(config, config(upstream.getAddress().getPort(), work.resolve("toolgate")));
            train(jar, archive, config);
        } finally {
            upstream.stop(0);
            deleteTree(work);
        }
        if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
            throw new IllegalStateException("the gateway exited without writing " + archive);
        }
    }

    /**
     * JDK 25 and later record an ahead-of-time cache instead (JEP 483, 515): the classes loaded and
     * linked, and the methods' profiles, in two steps, a recorded run and then the cache built from
     * its configuration. The JVM maps it with the same {@code -XX:SharedArchiveFile} option, and
     * starts faster with it than with a dynamic archive (bench/README.md, Startup).
     */
    private static boolean aheadOfTimeCache() {
        return Runtime.version().feature() >= 25;
    }

    private static void train(Path jar, Path archive, Path config) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path aotConfiguration = archive.resolveSibling(archive.getFileName() + ".aotconf");
        List<String> recording = aheadOfTimeCache()
                ? List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + aotConfiguration, "-Xlog:aot=error,cds=error")
                // CDS warns about each class it cannot archive (picocli's Java 5 classes): not news.
                : List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=error,cds+dynamic=error");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(recording);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        startAndExercise(command);
        if (aheadOfTimeCache()) {
            try {
                createCache(java, jar, archive, aotConfiguration);
            } finally {
                Files.deleteIfExists(aotConfiguration);
            }
        }
    }

    private static void createCache(String java, Path jar, Path archive, Path aotConfiguration) throws Exception {
        Process create = new ProcessBuilder(java, "-XX:AOTMode=create", "-XX:AOTConfiguration=" + aotConfiguration,
                "-XX:AOTCache=" + archive, "-Xlog:aot=error,cds=error", "-jar", jar.toString())
                .inheritIO()
                .start();
        if (!create.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
            create.destroyForcibly();
            throw new IllegalStateException("building the ahead-of-time cache took over " + START_SECONDS + " s");
        }
        if (create.exitValue() != 0) {
            throw new IllegalStateException("building the ahead-of-time cache failed with exit status " + create.exitValue());
        }
    }

    private static void startAndExercise(List<String> command) throws Exception {
        Process gateway = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> log = new ArrayList<>();
        CompletableFuture<Integer> port = watchLog(gateway.getErrorStream(), log);
        try {
            exercise(port.get(START_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
            gateway.destroyForcibly();
            synchronized (log) {
                log.forEach(System.err::println);
            }
            throw e;
        }
        gateway.destroy();
        if (!gateway.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
            gateway.destroyForcibly();
            throw new IllegalStateException("the gateway did not stop within " + START_SECONDS + " s of SIGTERM");
        }
    }

    /** Completes with the port from the gateway's "listening" line; echoes its warnings and errors. */
    private static CompletableFuture<Integer> watchLog(InputStream stderr, List<String> log) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    synchronized (log) {
                        log.add(line);
                    }
                    Matcher listening = LISTENING.matcher(line);
                    if (listening.find()) {
                        port.complete(Integer.parseInt(listening.group(1)));
                    } else if (line.contains("WARN") || line.contains("ERROR")) {
                        System.err.println(line);
                    }
                }
                port.completeExceptionally(new IllegalStateException("the gateway exited before it listened"));
            } catch (IOException e) {
                port.completeExceptionally(new UncheckedIOException(e));
            }
        }, "training-log");
        reader.setDaemon(true);
        reader.start();
        return port;
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
