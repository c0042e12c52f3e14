package dev.toolgate.proxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.StreamingUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that are slow, silent or sly, on raw sockets: a request dribbled in byte by byte, an
 * idle connection, a client that stops reading, oversized headers, and requests whose framing
 * two parsers could read differently (Content-Length with Transfer-Encoding, two Content-Lengths).
 */
class SlowClientsTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bounds every blocking read: a gateway that never answers fails the test instead of hanging it. */
    private static final int SOCKET_TIMEOUT_MILLIS = 20_000;
    private static final String MODELS = "{\"object\":\"list\",\"data\":[]}";

    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private TestGateway start(String upstreamBaseUrl, String requestTimeout, String idleTimeout) {
        gateway = TestGateway.builder(upstreamBaseUrl).serverSetting("request_timeout", requestTimeout)
                .serverSetting("idle_timeout", idleTimeout).start();
        return gateway;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", gateway.gateway().port());
        socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        return socket;
    }

    @Test
    void aHeadDribbledByteByByteGets408AndTheConnectionCloses() throws Exception {
        start(upstream.baseUrl() + "/v1", "1s", "60s");
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nx-api-key: " + TestGateway.AGENT_KEY + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            AtomicBoolean dribbling = dribble(out, "X-Slow: " + "a".repeat(10_000));
            try {
                RawResponse response = RawResponse.read(socket.getInputStream());
                assertThat(response.status()).isEqualTo(408);
                assertThat(response.header("connection")).isEqualTo("close");
                assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("REQUEST_TIMEOUT");
                assertThat(closedByPeer(socket)).isTrue();
            } finally {
                dribbling.set(false);
            }
        }
    }

    @Test
    void aBodyDribbledByteByByteGets408AndTheConnectionCloses() throws Exception {
        start(upstream.baseUrl() + "/v1", "1s", "60s");
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nx-api-key: " + TestGateway.AGENT_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            AtomicBoolean dribbling = dribble(out, "{\"model\":\"m\",\"messages\":[" + " ".repeat(10_000));
            try {
                RawResponse response = RawResponse.read(socket.getInputStream());
                assertThat(response.status()).isEqualTo(408);
                assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("REQUEST_TIMEOUT");
                assertThat(closedByPeer(socket)).isTrue();
            } finally {
                dribbling.set(false);
            }
        }
        assertThat(upstream.getAllServeEvents()).isEmpty();
    }

    @Test
    void theRequestClockStartsAtTheFirstByteNotWhileAKeptAliveConnectionWaits() throws Exception {
        upstream.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(MODELS)));
        start(upstream.baseUrl() + "/v1", "1s", "60s");
        try (Socket socket = connect()) {
            byte[] request = ("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nx-api-key: " + TestGateway.AGENT_KEY + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            socket.getOutputStream().write(request);
            assertThat(RawResponse.read(socket.getInputStream()).status()).isEqualTo(200);

            // Longer than the request timeout, shorter than the idle timeout: the connection stays usable.
            Thread.sleep(1_500);
            socket.getOutputStream().write(request);
            RawResponse second = RawResponse.read(socket.getInputStream());
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).isEqualTo(MODELS);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderTheyCame() throws Exception {
        // The first answer waits for a slow upstream, the second needs none: it must still come second.
        upstream.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(MODELS).withFixedDelay(500)));
        start(upstream.baseUrl() + "/v1", "30s", "60s");
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nx-api-key: " + TestGateway.AGENT_KEY
                    + "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawResponse first = RawResponse.read(socket.getInputStream());
            RawResponse second = RawResponse.read(socket.getInputStream());

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo(MODELS);
            assertThat(second.status()).isEqualTo(200);
            assertThat(JSON.readTree(second.body()).path("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void aRequestPipelinedAfterConnectionCloseIsDroppedWithTheConnection() throws Exception {
        upstream.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(MODELS).withFixedDelay(300)));
        start(upstream.baseUrl() + "/v1", "30s", "60s");
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nx-api-key: "
                    + TestGateway.AGENT_KEY + "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            RawResponse only = RawResponse.read(socket.getInputStream());

            assertThat(only.status()).isEqualTo(200);
            assertThat(only.body()).isEqualTo(MODELS);
            assertThat(closedByPeer(socket)).isTrue();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws Exception {
        start(upstream.baseUrl() + "/v1", "30s", "500ms");
        try (Socket socket = connect()) {
            assertThat(closedByPeer(socket)).isTrue();
        }
    }

    @Test
    void aRequestAnsweredMoreSlowlyThanTheIdleTimeoutKeepsItsConnection() throws Exception {
        upstream.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(MODELS).withFixedDelay(1_500)));
        start(upstream.baseUrl() + "/v1", "30s", "500ms");
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nx-api-key: " + TestGateway.AGENT_KEY
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawResponse answer = RawResponse.read(socket.getInputStream());

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo(MODELS);
            // Idle between requests again: now the connection goes.
            assertThat(closedByPeer(socket)).isTrue();
        }
    }

    @Test
    void aClientThatStopsReadingAStreamIsDisconnectedAndItsUpstreamReleased() throws Exception {
        String chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"" + "lorem ipsum ".repeat(80) + "\"},\"finish_reason\":null}]}\n\n";
        try (StreamingUpstream endless = new StreamingUpstream(out -> {
            while (true) {
                out.write(chunk);
            }
        }, true)) {
            start(endless.baseUrl(), "30s", "1s");
            String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
            try (Socket socket = connect()) {
                socket.setReceiveBufferSize(4096);
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nx-api-key: "
                        + TestGateway.AGENT_KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                assertThat(endless.awaitRequest(10)).isTrue();
                // The client reads nothing more: the gateway gives up on it and lets go of the upstream.
                assertThat(endless.awaitPeerClosed(30)).as("the upstream connection was closed").isTrue();
            }
        }
    }

    @Test
    void headersOver16KiBGet431AndTheConnectionCloses() throws Exception {
        start(upstream.baseUrl() + "/v1", "30s", "60s");
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Big: " + "b".repeat(17 * 1024)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawResponse response = RawResponse.read(socket.getInputStream());
            assertThat(response.status()).isEqualTo(431);
            assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("REQUEST_TOO_LARGE");
            assertThat(closedByPeer(socket)).isTrue();
        }
        assertThat(upstream.getAllServeEvents()).isEmpty();
    }

    @Test
    void contentLengthWithTransferEncodingIs400AndTheConnectionCloses() throws Exception {
        start(upstream.baseUrl() + "/v1", "30s", "60s");
        assertRefusedFraming("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRefusedFraming("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n");
    }

    @Test
    void twoContentLengthsAre400AndTheConnectionCloses() throws Exception {
        start(upstream.baseUrl() + "/v1", "30s", "60s");
        assertRefusedFraming("Content-Length: 2\r\nContent-Length: 4\r\n\r\n{}{}");
        assertRefusedFraming("Content-Length: 2, 4\r\n\r\n{}{}");
    }

    /** A POST with {@code framing} (headers and body) is refused with 400 and the connection closed; nothing goes upstream. */
    private void assertRefusedFraming(String framing) throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nx-api-key: "
                    + TestGateway.AGENT_KEY + "\r\nContent-Type: application/json\r\n" + framing).getBytes(StandardCharsets.US_ASCII));
            RawResponse response = RawResponse.read(socket.getInputStream());
            assertThat(response.status()).as(framing).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("MALFORMED_REQUEST");
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(closedByPeer(socket)).isTrue();
        }
        assertThat(upstream.getAllServeEvents()).isEmpty();
    }

    /** Writes {@code text} one byte every 100 ms on a thread of its own until told to stop or the socket fails. */
    private static AtomicBoolean dribble(OutputStream out, String text) {
        AtomicBoolean going = new AtomicBoolean(true);
        Thread dribbler = new Thread(() -> {
            try {
                for (int i = 0; i < text.length() && going.get(); i++) {
                    out.write(text.charAt(i));
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException closed) {
                // The gateway closed the connection: what the test waits for.
            }
        }, "dribbling-client");
        dribbler.setDaemon(true);
        dribbler.start();
        return going;
    }

    /** True when the gateway closed the connection (end of stream or reset) before the socket timeout. */
    private static boolean closedByPeer(Socket socket) throws IOException {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            while (in.read(buffer) >= 0) {
                // Drain whatever is left.
            }
            return true;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }

    /** One HTTP/1.1 response read off a raw socket: Content-Length or chunked framing. */
    private record RawResponse(int status, String headers, String body) {
        static RawResponse read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed before a response head: " + head.toString(StandardCharsets.ISO_8859_1));
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(headers.substring(9, 12));
            RawResponse partial = new RawResponse(status, headers, "");
            if ("chunked".equalsIgnoreCase(partial.header("transfer-encoding"))) {
                return new RawResponse(status, headers, new String(readChunks(in), StandardCharsets.UTF_8));
            }
            int length = Integer.parseInt(partial.header("content-length"));
            return new RawResponse(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }

        private static byte[] readChunks(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    readLine(in);
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed inside a chunked body");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }
}
