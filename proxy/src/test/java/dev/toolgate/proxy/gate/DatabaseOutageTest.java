package dev.toolgate.proxy.gate;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Response;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away, or hangs, while the gateway runs (H2 over TCP, stopped and restarted on
 * the same port and files). Answers with tool calls fail closed with 503 DECISION_UNAVAILABLE and
 * release nothing; text answers still pass; and once the database answers again the gateway
 * decides and records calls by itself, from the very first request.
 */
class DatabaseOutageTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String READ = "read please";
    private static final String WIRE = "wire please";
    private static final String TEXT = "text please";
    private static final String STREAMED_CALL = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_streamed\",\"type\":\"function\","
            + "\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"/srv/s.txt\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},"
            + "\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";

    @TempDir
    Path baseDir;

    private Server database;
    private TestGateway gateway;

    @BeforeEach
    void stubUpstream() {
        answer(READ, ChatBodies.withToolCalls(call("call_read", "read_file", "{\"path\":\"/srv/report.txt\"}")));
        answer(WIRE, ChatBodies.withToolCalls(call("call_wire", "wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}")));
        answer(TEXT, ChatBodies.TEXT_ANSWER);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (database != null) {
            database.stop();
        }
    }

    private static void answer(String question, String body) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(question))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private int startDatabase(int port) throws SQLException {
        database = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir", baseDir.toString()).start();
        return database.getPort();
    }

    private void startGateway(int databasePort, String storageTimeout) {
        gateway = TestGateway.builder(upstream.baseUrl() + "/v1")
                .storage("jdbc:h2:tcp://localhost:" + databasePort + "/toolgate")
                .storageSetting("timeout", storageTimeout)
                .start();
    }

    private Response chat(String question) throws IOException {
        return gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY,
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}");
    }

    /** 200 with the call allowed; returns the decision id, after checking the decision is on record. */
    private String assertAllowedAndAudited() throws IOException {
        try (Response response = chat(READ)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("x-toolgate-decision")).isEqualTo("allowed");
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(body.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("call_read");
            String decisionId = response.header("x-toolgate-decision-id");
            assertThat(gateway.gateway().storage().auditLog().findByEventId(decisionId)).isPresent();
            return decisionId;
        }
    }

    /** 503 DECISION_UNAVAILABLE, and not a byte of the call. */
    private void assertFailsClosed(String question) throws IOException {
        try (Response response = chat(question)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(503);
            assertThat(JSON.readTree(body).at("/error/code").asText()).isEqualTo("DECISION_UNAVAILABLE");
            assertThat(body).doesNotContain("call_").doesNotContain("read_file").doesNotContain("wire_transfer")
                    .doesNotContain("Exception");
        }
    }

    private void assertTextPasses() throws IOException {
        try (Response response = chat(TEXT)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo(ChatBodies.TEXT_ANSWER);
        }
    }

    @Test
    void aStoppedDatabaseFailsCallsClosedPassesTextAndIsUsedAgainOnceItIsBack() throws Exception {
        int port = startDatabase(0);
        startGateway(port, "5s");
        assertAllowedAndAudited();

        database.stop();
        assertFailsClosed(READ);
        assertFailsClosed(WIRE);
        assertTextPasses();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("stream me"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(STREAMED_CALL)));
        try (Response response = gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY,
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}]}")) {
            String received = response.body().string();
            assertThat(received).contains("\"code\":\"DECISION_UNAVAILABLE\"").doesNotContain("call_streamed")
                    .doesNotContain("read_file");
        }
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a\"}}")) {
            assertThat(response.code()).isEqualTo(503);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("DECISION_UNAVAILABLE");
        }

        startDatabase(port);
        // The first request after the database returns is served: no stale pooled connection is lent.
        assertAllowedAndAudited();
        String approvalId;
        try (Response response = chat(WIRE)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("x-toolgate-decision")).isEqualTo("pending_approval");
            approvalId = JSON.readTree(response.body().string()).at("/_toolgate/approval_id").asText();
        }
        assertThat(gateway.gateway().storage().approvals().findById(approvalId))
                .hasValueSatisfying(approval -> assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING));
    }

    @Test
    void aHangingDatabaseFailsCallsClosedAtTheStorageTimeoutAndIsUsedAgainOnceItAnswers() throws Exception {
        int port = startDatabase(0);
        try (FreezingProxy proxy = new FreezingProxy(port)) {
            startGateway(proxy.port(), "1s");
            assertAllowedAndAudited();

            proxy.freeze();
            // The client's own read timeout is 30 s: an answer at all proves the gateway did not wait on the database.
            assertFailsClosed(READ);
            assertFailsClosed(WIRE);
            assertTextPasses();
            try (Response health = gateway.get("/healthz", null)) {
                assertThat(health.code()).as("the process is alive").isEqualTo(200);
            }
            assertStorageUnavailableWithinTheTimeout(() -> gateway.get("/readyz", null), "/readyz");
            for (String path : List.of("/api/blocked-tools", "/api/pending-approvals", "/api/approval-rules",
                    "/api/notification-settings", "/api/pending-approvals/00000000-0000-0000-0000-000000000000")) {
                assertStorageUnavailableWithinTheTimeout(() -> gateway.get(path, TestGateway.ADMIN_KEY), path);
            }
            assertStorageUnavailableWithinTheTimeout(() -> gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY,
                    "{\"tool_name\":\"send_email\"}"), "POST /api/blocked-tools");

            proxy.thaw();
            assertAllowedAndAudited();
            try (Response ready = gateway.get("/readyz", null)) {
                assertThat(ready.code()).isEqualTo(200);
                assertThat(JSON.readTree(ready.body().string()).path("status").asText()).isEqualTo("ready");
            }
        }
    }

    private interface Call {
        Response send() throws IOException;
    }

    /** 503 STORAGE_UNAVAILABLE within the 1 s storage timeout and a grace, not the client's own 30 s read timeout. */
    private static void assertStorageUnavailableWithinTheTimeout(Call call, String what) throws IOException {
        long started = System.nanoTime();
        try (Response response = call.send()) {
            String body = response.body().string();
            assertThat(response.code()).as(what + ": " + body).isEqualTo(503);
            assertThat(JSON.readTree(body).at("/error/code").asText()).as(what).isEqualTo("STORAGE_UNAVAILABLE");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as(what).isLessThan(Duration.ofSeconds(3));
    }

    /**
     * A TCP relay to the database that can stop passing bytes without closing anything: to the
     * gateway the database hangs, mid-statement, until it is thawed.
     */
    private static final class FreezingProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int targetPort;
        private final Object gate = new Object();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private boolean frozen;

        FreezingProxy(int targetPort) throws IOException {
            this.targetPort = targetPort;
            Thread acceptor = new Thread(this::accept, "freezing-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void freeze() {
            synchronized (gate) {
                frozen = true;
            }
        }

        void thaw() {
            synchronized (gate) {
                frozen = false;
                gate.notifyAll();
            }
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    sockets.add(client);
                    sockets.add(target);
                    pump(client, target);
                    pump(target, client);
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void pump(Socket from, Socket to) {
            Thread pump = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        awaitThaw();
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException closed) {
                    // One side went away: the relay of this connection ends.
                }
            }, "freezing-proxy-pump");
            pump.setDaemon(true);
            pump.start();
        }

        private void awaitThaw() throws InterruptedException {
            synchronized (gate) {
                while (frozen) {
                    gate.wait();
                }
            }
        }

        @Override
        public void close() throws IOException {
            thaw();
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
