package dev.toolgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statuses and error bodies the real server gives for requests no endpoint can serve. */
class ErrorStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(NO_UPSTREAM);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    /** Checks the one error shape, {@code {"error":{"code","message"}}}, and returns the error. */
    private static JsonNode error(Response response) throws IOException {
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = JSON.readTree(response.body().string());
        assertThat(body.size()).isEqualTo(1);
        JsonNode error = body.path("error");
        assertThat(error.path("code").isTextual()).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        return error;
    }

    @Test
    void unknownPathIs404WithTheErrorShape() throws IOException {
        try (Response response = gateway.get("/api/nothing-here", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(404);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("NOT_FOUND");
            assertThat(error.path("message").asText()).contains("GET /api/nothing-here");
        }
    }

    @Test
    void unknownPathIs404EvenWithoutAKey() throws IOException {
        try (Response response = gateway.get("/nothing", null)) {
            assertThat(response.code()).isEqualTo(404);
            assertThat(error(response).path("code").asText()).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void wrongMethodOnAKnownPathIs405() throws IOException {
        try (Response response = gateway.delete("/api/intercept", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(405);
            assertThat(response.header("Allow")).isEqualTo("POST");
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
            assertThat(error.path("message").asText()).contains("DELETE").contains("/api/intercept");
        }
        try (Response response = gateway.get("/api/intercept", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(405);
        }
    }

    @Test
    void wrongMethodOnAPathWithParametersIs405() throws IOException {
        try (Response response = gateway.get("/api/blocked-tools/send_email", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(405);
            assertThat(response.header("Allow")).isEqualTo("DELETE");
            assertThat(error(response).path("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
        }
    }

    @Test
    void bodyOverTheLimitIs413AndTheConnectionIsClosed() throws IOException {
        gateway.close();
        gateway = TestGateway.start(NO_UPSTREAM, TestGateway.STANDARD_RULES, TestGateway.memoryStorage(),
                "limits: { max_request_size: 1KiB }\n");
        String big = "{\"tool_name\":\"read_file\",\"arguments\":{\"pad\":\"" + "x".repeat(4 * 1024) + "\"}}";

        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, big)) {
            assertThat(response.code()).isEqualTo(413);
            JsonNode error = error(response);
            assertThat(error.path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
            assertThat(error.path("message").asText()).contains("1024 bytes");
            // The rest of the body is not read, so the server closes; it must say so.
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
        }
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"read_file\","
                + "\"arguments\":{\"path\":\"/srv/a.txt\"}}")) {
            assertThat(response.code()).as("a body within the limit, on a new connection").isEqualTo(200);
        }
    }

    @Test
    void healthCheckIsPublic() throws IOException {
        try (Response response = gateway.get("/healthz", null)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("application/json");
            assertThat(JSON.readTree(response.body().string())).isEqualTo(JSON.readTree("{\"status\":\"ok\"}"));
        }
    }

    @Test
    void headerOver16KiBIs431() throws IOException {
        Request request = new Request.Builder().url(gateway.baseUrl() + "/healthz")
                .header("x-padding", "p".repeat(17 * 1024))
                .build();
        try (Response response = gateway.http().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(431);
            assertThat(error(response).path("code").asText()).isEqualTo("REQUEST_TOO_LARGE");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
        }
    }

    @Test
    void malformedPercentEscapeInThePathIs400() throws IOException {
        String answer = rawExchange("GET /api/logs%zz HTTP/1.1\r\nHost: toolgate.test\r\nx-api-key: " + TestGateway.ADMIN_KEY
                + "\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 ");
        assertThat(JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).at("/error/code").asText())
                .isEqualTo("MALFORMED_REQUEST");
    }

    @Test
    void malformedPercentEscapeInTheQueryIs400() throws IOException {
        String answer = rawExchange("GET /api/logs?status=%zz&api_key=" + TestGateway.ADMIN_KEY
                + " HTTP/1.1\r\nHost: toolgate.test\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 ");
        assertThat(JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).at("/error/code").asText())
                .isEqualTo("MALFORMED_REQUEST");
    }

    @Test
    void sequentialRequestsShareOneKeptAliveConnection() throws IOException {
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        OkHttpClient client = gateway.http().newBuilder()
                .addNetworkInterceptor(chain -> {
                    clientPorts.add(chain.connection().socket().getLocalPort());
                    return chain.proceed(chain.request());
                })
                .build();
        List<Request> requests = List.of(
                new Request.Builder().url(gateway.baseUrl() + "/healthz").build(),
                new Request.Builder().url(gateway.baseUrl() + "/api/intercept").header("x-api-key", TestGateway.AGENT_KEY)
                        .post(RequestBody.create("{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/a\"}}", TestGateway.JSON))
                        .build(),
                new Request.Builder().url(gateway.baseUrl() + "/api/logs").header("x-api-key", TestGateway.ADMIN_KEY).build(),
                new Request.Builder().url(gateway.baseUrl() + "/api/logs/export").header("x-api-key", TestGateway.ADMIN_KEY).build(),
                new Request.Builder().url(gateway.baseUrl() + "/nothing").build(),
                new Request.Builder().url(gateway.baseUrl() + "/api/stats").header("x-api-key", "wrong").build(),
                new Request.Builder().url(gateway.baseUrl() + "/api/intercept").header("x-api-key", TestGateway.AGENT_KEY)
                        .post(RequestBody.create("{\"tool_name\":", TestGateway.JSON)).build(),
                new Request.Builder().url(gateway.baseUrl() + "/healthz").build());

        List<Integer> statuses = new ArrayList<>();
        for (Request request : requests) {
            try (Response response = client.newCall(request).execute()) {
                response.body().string();
                statuses.add(response.code());
                assertThat(response.header("Connection")).as(request.url().encodedPath()).isNotEqualToIgnoringCase("close");
            }
        }

        assertThat(statuses).containsExactly(200, 200, 200, 200, 404, 401, 400, 200);
        assertThat(clientPorts).as("local ports of the connections used").hasSize(1);
    }

    @Test
    void clientAskingToCloseIsAnsweredAndClosed() throws IOException {
        String answer = rawExchange("GET /healthz HTTP/1.1\r\nHost: toolgate.test\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close").endsWith("{\"status\":\"ok\"}");
    }

    /** Writes raw bytes (for requests an HTTP client refuses to send) and reads until the server closes. */
    private String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.gateway().port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
