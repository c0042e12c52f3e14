package dev.toolgate.proxy.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.StreamingUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the client sees when the upstream misbehaves: huge bodies, bodies that only look like tool
 * calls, tool calls in shapes the gateway cannot read, server errors, a connection cut mid-body,
 * streamed and not. Every case ends in the upstream's own answer or a clean JSON error, and no
 * tool call the gateway did not decide reaches the client. Leaks fail the class (NettyLeakCheck).
 */
class FaultsTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final String STREAM_REQUEST =
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";

    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private TestGateway start() {
        gateway = TestGateway.start(upstream.baseUrl() + "/v1");
        return gateway;
    }

    private static void upstreamAnswers(int status, String contentType, String body) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", contentType).withBody(body)));
    }

    private Response chat(String request) throws IOException {
        return gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY, request);
    }

    private long audited() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).total();
    }

    /** {"error":{"code","message"}} and nothing else: no stack trace, no upstream bytes. */
    private static void assertCleanError(Response response, int status, String code) throws IOException {
        assertThat(response.code()).isEqualTo(status);
        assertThat(response.header("content-type")).startsWith("application/json");
        String body = response.body().string();
        JsonNode error = JSON.readTree(body);
        assertThat(error.size()).as(body).isEqualTo(1);
        assertThat(error.path("error").path("code").asText()).as(body).isEqualTo(code);
        assertThat(error.path("error").path("message").asText()).as(body).isNotBlank()
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("delete_file");
    }

    /** A text answer whose content is {@code size} bytes of ASCII, with escapes the gateway must not touch. */
    private static String hugeTextAnswer(int size) {
        StringBuilder content = new StringBuilder(size + 64);
        String line = "All work and no play makes \\\"Jack\\\" a dull boy.\\n";
        while (content.length() < size) {
            content.append(line);
        }
        return "{\"id\":\"chatcmpl-huge\",\"object\":\"chat.completion\",\"created\":1763800000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
                + "\",\"refusal\":null},\"finish_reason\":\"stop\"}]}";
    }

    @Test
    void tenMegabyteTextAnswerPassesThroughIntact() throws IOException {
        start();
        String huge = hugeTextAnswer(TEN_MB);
        upstreamAnswers(200, "application/json", huge);
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().bytes()).isEqualTo(huge.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(audited()).isZero();
    }

    @Test
    void answerOverTheResponseLimitIs502AndReleasesNothing() throws IOException {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1").extra("limits: { max_response_size: 1MiB }\n").start();
        String content = "x".repeat(2 * 1024 * 1024);
        upstreamAnswers(200, "application/json", ChatBodies.withToolCalls(
                call("call_big", "delete_file", "{\"path\":\"/srv/data\",\"padding\":\"" + content + "\"}")));
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertCleanError(response, 502, "UPSTREAM_RESPONSE_TOO_LARGE");
        }
        assertThat(audited()).isZero();
    }

    @Test
    void toolCallsMentionedInsideTheContentAreJustText() throws IOException {
        start();
        String answer = "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"Send {\\\"tool_calls\\\":[{\\\"id\\\":\\\"call_1\\\",\\\"function\\\":"
                + "{\\\"name\\\":\\\"delete_file\\\",\\\"arguments\\\":\\\"{}\\\"}}]} to delete it\"},\"finish_reason\":\"stop\"}]}";
        upstreamAnswers(200, "application/json", answer);
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("x-toolgate-decision")).isNull();
            assertThat(response.body().string()).isEqualTo(answer);
        }
        assertThat(audited()).isZero();
    }

    @Test
    void aCallWhoseKeyIsSpelledWithUnicodeEscapesIsStillDecided() throws IOException {
        start();
        // The key with its '_' written as a unicode escape is "tool_calls" to every JSON parser, though not byte for byte.
        String answer = ChatBodies.withToolCalls(call("call_del", "delete_file", "{\"path\":\"/srv/data\"}"))
                .replace("\"tool_calls\"", "\"tool\\u005fcalls\"");
        assertThat(answer).doesNotContain("tool_calls");
        upstreamAnswers(200, "application/json", answer);
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("x-toolgate-decision")).isEqualTo("blocked");
            assertThat(response.body().string()).doesNotContain("/srv/data");
        }
        assertThat(audited()).isEqualTo(1);
    }

    @Test
    void aCallInAUtf16AnswerIsNotWavedThroughUnread() throws IOException {
        start();
        String answer = ChatBodies.withToolCalls(call("call_del", "delete_file", "{\"path\":\"/srv/data\"}"));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(answer.getBytes(StandardCharsets.UTF_16LE))));
        try (Response response = chat(ChatBodies.REQUEST)) {
            // Decided like any answer (the parser reads UTF-16), or refused: never passed on unread.
            byte[] body = response.body().bytes();
            assertThat(new String(body, StandardCharsets.UTF_16LE)).doesNotContain("/srv/data");
            assertThat(new String(body, StandardCharsets.UTF_8)).doesNotContain("/srv/data");
            assertThat(audited() == 1 || response.code() == 502).as("decided or refused, got %s", response.code()).isTrue();
        }
    }

    @Test
    void toolCallsOutsideTheMessageAreNotCalls() throws IOException {
        start();
        // Where no client looks for calls: top level, and on the choice instead of its message.
        String answer = "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"read_file\",\"arguments\":\"{}\"}}],\"choices\":[{\"index\":0,\"tool_calls\":[],"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"done\"},\"finish_reason\":\"stop\"}]}";
        upstreamAnswers(200, "application/json", answer);
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo(answer);
        }
        assertThat(audited()).isZero();
    }

    @Test
    void toolCallsThatAreNotAnArrayAreRefused() throws IOException {
        start();
        upstreamAnswers(200, "application/json", "{\"id\":\"chatcmpl-x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":{\"0\":{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"delete_file\","
                + "\"arguments\":\"{}\"}}}},\"finish_reason\":\"tool_calls\"}]}");
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertCleanError(response, 502, "UPSTREAM_INVALID_RESPONSE");
        }
        assertThat(audited()).isZero();
    }

    @Test
    void choicesThatAreNotAnArrayAreRefused() throws IOException {
        start();
        // In JavaScript choices[0] would find this call.
        upstreamAnswers(200, "application/json", "{\"id\":\"chatcmpl-x\",\"choices\":{\"0\":{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"delete_file\",\"arguments\":\"{}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}}}");
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertCleanError(response, 502, "UPSTREAM_INVALID_RESPONSE");
        }
        assertThat(audited()).isZero();
    }

    @Test
    void aSuccessThatIsNotJsonIsRefused() throws IOException {
        start();
        upstreamAnswers(200, "text/html", "<html><body>Service temporarily unavailable</body></html>");
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertCleanError(response, 502, "UPSTREAM_INVALID_RESPONSE");
        }
        upstreamAnswers(200, "application/json", "");
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertCleanError(response, 502, "UPSTREAM_INVALID_RESPONSE");
        }
    }

    @Test
    void serverErrorPassesThroughWithRetryAfter() throws IOException {
        start();
        String error = "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}";
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "3").withBody(error)));
        try (Response response = chat(ChatBodies.REQUEST)) {
            assertThat(response.code()).isEqualTo(500);
            assertThat(response.header("Retry-After")).isEqualTo("3");
            assertThat(response.body().string()).isEqualTo(error);
        }
        try (Response response = chat(STREAM_REQUEST)) {
            assertThat(response.code()).isEqualTo(500);
            assertThat(response.header("Retry-After")).isEqualTo("3");
            assertThat(response.body().string()).isEqualTo(error);
        }
    }

    @Test
    void aConnectionCutMidBodyIs502AndReleasesNothing() throws Exception {
        String body = ChatBodies.withToolCalls(call("call_1", "delete_file", "{\"path\":\"/srv/data\"}"));
        byte[] half = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body.substring(0, body.length() / 2)).getBytes(StandardCharsets.UTF_8);
        assertUpstreamBytesGive502(half, "UPSTREAM_RESET");
    }

    @Test
    void anAnswerThatIsNotHttpIs502AndReleasesNothing() throws Exception {
        byte[] garbage = "SMTP ready, not HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertUpstreamBytesGive502(garbage, "UPSTREAM_PROTOCOL_ERROR");
    }

    @Test
    void aBrokenChunkAfterAValidHeadIs502AndReleasesNothing() throws Exception {
        String body = ChatBodies.withToolCalls(call("call_1", "delete_file", "{\"path\":\"/srv/data\"}"));
        byte[] broken = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\nnot-a-chunk-size\r\n")
                .getBytes(StandardCharsets.UTF_8);
        assertUpstreamBytesGive502(broken, "UPSTREAM_PROTOCOL_ERROR");
    }

    /** The upstream answers {@code bytes} and closes: the client gets a clean 502 {@code code} and nothing is audited. */
    private void assertUpstreamBytesGive502(byte[] bytes, String code) throws Exception {
        try (CuttingUpstream upstreamSending = new CuttingUpstream(bytes)) {
            gateway = TestGateway.start(upstreamSending.baseUrl());
            try (Response response = chat(ChatBodies.REQUEST)) {
                assertCleanError(response, 502, code);
            }
        }
        assertThat(audited()).isZero();
    }

    @Test
    void streamedTenMegabytesOfTextPassThroughIntact() throws Exception {
        String chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + "tool_calls? no, \\\"tool_calls\\\": just text. ".repeat(40) + "\"},\"finish_reason\":null}]}\n\n";
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        try (StreamingUpstream streaming = new StreamingUpstream(out -> {
            for (int written = 0; written < TEN_MB; written += chunk.length()) {
                out.write(chunk);
            }
            out.write("data: [DONE]\n\n");
        }, true)) {
            for (int written = 0; written < TEN_MB; written += chunk.length()) {
                sent.write(chunk.getBytes(StandardCharsets.UTF_8));
            }
            sent.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            gateway = TestGateway.start(streaming.baseUrl());
            try (Response response = chat(STREAM_REQUEST)) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.body().bytes()).isEqualTo(sent.toByteArray());
            }
        }
        assertThat(audited()).isZero();
    }

    @Test
    void aStreamedCallWhoseChoicesAreNotAnArrayEndsTheStreamWithNothingReleased() throws Exception {
        String text = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":\"Cleaning up.\"},\"finish_reason\":null}]}\n\n";
        String hidden = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":{\"0\":{\"index\":0,\"delta\":{\"tool_calls\":"
                + "[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"delete_file\",\"arguments\":\"{}\"}}]},"
                + "\"finish_reason\":null}}}\n\n";
        String received = stream(text + hidden + "data: [DONE]\n\n", true);
        assertThat(received).startsWith(text).doesNotContain("delete_file").doesNotContain("[DONE]");
        assertThat(received).contains("\"code\":\"UPSTREAM_INVALID_RESPONSE\"");
        assertThat(audited()).isZero();
    }

    @Test
    void aStreamedCallEventThatIsNotJsonEndsTheStreamWithNothingReleased() throws Exception {
        String broken = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                + "\"function\":{\"name\":\"delete_file\",\"arguments\":\"{}\"}}]}\n\n";
        String received = stream(broken + "data: [DONE]\n\n", true);
        assertThat(received).doesNotContain("delete_file").contains("\"code\":\"UPSTREAM_INVALID_RESPONSE\"");
        assertThat(audited()).isZero();
    }

    @Test
    void aStreamCutBeforeItsCallIsCompleteReleasesNothingOfIt() throws Exception {
        String text = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":\"Reading it.\"},\"finish_reason\":null}]}\n\n";
        String callStart = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
                + "[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"pa\"}}]},"
                + "\"finish_reason\":null}]}\n\n";
        String received = stream(text + callStart, false);
        assertThat(received).startsWith(text).doesNotContain("call_1").doesNotContain("read_file");
        assertThat(received).contains("\"code\":\"UPSTREAM_RESET\"");
        assertThat(audited()).isZero();
    }

    @Test
    void aStreamToAnUpstreamThatRefusesConnectionsIs502() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        gateway = TestGateway.start("http://127.0.0.1:" + closedPort + "/v1");
        try (Response response = chat(STREAM_REQUEST)) {
            assertCleanError(response, 502, "UPSTREAM_UNAVAILABLE");
        }
    }

    /** Streams {@code events} from a raw upstream ({@code endCleanly} false: the connection is cut after them). */
    private String stream(String events, boolean endCleanly) throws Exception {
        try (StreamingUpstream streaming = new StreamingUpstream(out -> out.write(events), endCleanly)) {
            gateway = TestGateway.start(streaming.baseUrl());
            try (Response response = chat(STREAM_REQUEST)) {
                assertThat(response.code()).isEqualTo(200);
                return new String(readAll(response.body().byteStream()), StandardCharsets.UTF_8);
            }
        }
    }

    /** Everything until the stream ends, cleanly or cut. */
    private static byte[] readAll(InputStream in) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (IOException cut) {
            // What arrived before the cut is what the client saw.
        }
        return all.toByteArray();
    }

    /** An upstream that answers every request with {@code bytes} and then closes the connection. */
    private static final class CuttingUpstream implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        CuttingUpstream(byte[] bytes) throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        InputStream in = socket.getInputStream();
                        in.read(new byte[64 * 1024]);
                        OutputStream out = socket.getOutputStream();
                        out.write(bytes);
                        out.flush();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "cutting-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
