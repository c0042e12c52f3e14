package dev.toolgate.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.GatewayProcess;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a gateway under load, then a restart on the same database: every tool call a
 * client received as allowed has its audit event, every approval a client was told is pending is
 * still pending, and nothing half-written keeps the gateway from starting and serving.
 */
class CrashRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 4;
    private static final int ALLOWED_BEFORE_KILL = 60;
    private static final int PENDING_BEFORE_KILL = 20;

    /** What clients were told before the crash; only these are promised to survive it. */
    private final Set<String> allowedDecisionIds = ConcurrentHashMap.newKeySet();
    private final Set<String> pendingApprovalIds = ConcurrentHashMap.newKeySet();
    private final List<String> inconsistentAnswers = new CopyOnWriteArrayList<>();

    @Test
    void whatClientsWereToldSurvivesAKillAndTheGatewayRestarts(@TempDir Path dir) throws Exception {
        WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort());
        upstream.start();
        try {
            stubUpstream(upstream);
            String databaseUrl = "jdbc:h2:file:" + dir.resolve("toolgate");
            Path config = dir.resolve("toolgate.yaml");
            Files.writeString(config, """
                    server: { host: 127.0.0.1, port: 0, public_url: "http://toolgate.test" }
                    upstream: { base_url: "%s/v1", timeout: 30s }
                    storage: { url: "%s" }
                    keys:
                      - { name: support-bot, key: %s, role: agent }
                      - { name: ops, key: %s, role: admin }
                    """.formatted(upstream.baseUrl(), databaseUrl, TestGateway.AGENT_KEY, TestGateway.ADMIN_KEY)
                    + TestGateway.STANDARD_RULES);
            OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).retryOnConnectionFailure(false).build();

            try (GatewayProcess first = GatewayProcess.start(config, dir.resolve("first.log"), "-Xmx256m")) {
                List<Thread> clients = drive(client, first.baseUrl());
                awaitLoad(first);
                first.kill();
                for (Thread thread : clients) {
                    thread.join(TimeUnit.SECONDS.toMillis(30));
                }
            }
            assertThat(inconsistentAnswers).isEmpty();
            assertThat(allowedDecisionIds).hasSizeGreaterThanOrEqualTo(ALLOWED_BEFORE_KILL);
            assertThat(pendingApprovalIds).hasSizeGreaterThanOrEqualTo(PENDING_BEFORE_KILL);

            try (GatewayProcess second = GatewayProcess.start(config, dir.resolve("second.log"), "-Xmx256m")) {
                try (Response response = client.newCall(chat(second.baseUrl(), "read", 1_000_000)).execute()) {
                    assertThat(response.code()).as(second.log()).isEqualTo(200);
                    assertThat(response.header("x-toolgate-decision")).isEqualTo("allowed");
                }
                String anApproval = pendingApprovalIds.iterator().next();
                try (Response response = client.newCall(new Request.Builder()
                        .url(second.baseUrl() + "/api/pending-approvals/" + anApproval)
                        .header("x-api-key", TestGateway.AGENT_KEY).build()).execute()) {
                    assertThat(response.code()).isEqualTo(200);
                    assertThat(JSON.readTree(response.body().string()).path("status").asText()).isEqualTo("pending");
                }
            }
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();

            // The gateways opened it as the default user, sa.
            try (Storage storage = JdbiStorage.open(new StorageSettings(databaseUrl, "sa", ""))) {
                for (String decisionId : allowedDecisionIds) {
                    assertThat(storage.auditLog().findByEventId(decisionId)).as("audit event " + decisionId)
                            .map(AuditEvent::decision).contains("allowed");
                }
                for (String approvalId : pendingApprovalIds) {
                    assertThat(storage.approvals().findById(approvalId)).as("approval " + approvalId)
                            .hasValueSatisfying(approval -> assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING));
                }
            }
        } finally {
            upstream.stop();
        }
    }

    /**
     * "read" gets an allowed read_file call, "wire" a transfer that is held. Each request is its own
     * conversation, and its {@code metadata.seq} makes its call (and so its approval) distinct.
     */
    private static void stubUpstream(WireMockServer upstream) {
        String seq = "{{jsonPath request.body '$.metadata.seq'}}";
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("\"read "))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(ChatBodies.withToolCalls(call("call_r" + seq, "read_file", "{\"path\":\"/srv/" + seq + ".txt\"}")))
                        .withTransformers("response-template")));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("\"wire "))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(ChatBodies.withToolCalls(call("call_w" + seq, "wire_transfer",
                                "{\"amount\":5000,\"to\":\"acme-" + seq + "\"}")))
                        .withTransformers("response-template")));
    }

    private static Request chat(String baseUrl, String kind, int seq) {
        String body = "{\"model\":\"gpt-4o-mini\",\"metadata\":{\"seq\":\"" + seq + "\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + kind + " " + seq + "\"}]}";
        return new Request.Builder().url(baseUrl + "/v1/chat/completions").header("x-api-key", TestGateway.AGENT_KEY)
                .post(RequestBody.create(body, TestGateway.JSON)).build();
    }

    /** Clients sending a mix of allowed and held calls until the gateway is gone, recording what they were told. */
    private List<Thread> drive(OkHttpClient client, String baseUrl) {
        AtomicInteger sequence = new AtomicInteger();
        AtomicBoolean gatewayGone = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread thread = new Thread(() -> {
                while (!gatewayGone.get()) {
                    int seq = sequence.incrementAndGet();
                    try (Response response = client.newCall(chat(baseUrl, seq % 3 == 0 ? "wire" : "read", seq)).execute()) {
                        String body = response.body().string();
                        if (response.code() == 200) {
                            record(response, JSON.readTree(body));
                        }
                    } catch (IOException gone) {
                        gatewayGone.set(true);
                    }
                }
            }, "crash-test-client-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        return threads;
    }

    /** Only complete answers count: a client that got the whole body was told the decision. */
    private void record(Response response, JsonNode body) {
        String decision = response.header("x-toolgate-decision", "");
        JsonNode metadata = body.path("_toolgate");
        if (decision.equals("allowed")) {
            if (!metadata.path("decision_id").asText().equals(response.header("x-toolgate-decision-id"))) {
                inconsistentAnswers.add("header and body disagree on the decision id: " + body);
            }
            allowedDecisionIds.add(metadata.path("decision_id").asText());
        } else if (decision.equals("pending_approval")) {
            pendingApprovalIds.add(metadata.path("approval_id").asText());
        }
    }

    /** Bounded wait until enough of both kinds were told to clients that the kill lands in the middle of steady load. */
    private void awaitLoad(GatewayProcess gateway) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (allowedDecisionIds.size() < ALLOWED_BEFORE_KILL || pendingApprovalIds.size() < PENDING_BEFORE_KILL) {
            if (System.nanoTime() > deadline || !gateway.alive()) {
                throw new AssertionError("load did not build up: " + allowedDecisionIds.size() + " allowed, "
                        + pendingApprovalIds.size() + " pending; gateway log:\n" + gateway.log());
            }
            Thread.sleep(20);
        }
    }
}
