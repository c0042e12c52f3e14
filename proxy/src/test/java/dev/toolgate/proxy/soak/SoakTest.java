package dev.toolgate.proxy.soak;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded soak: about 200k mixed requests (text, allowed, blocked, pending, streamed) at 64
 * connections through a gateway in its own JVM. Zero 5xx, one audit event per decided call, no
 * leak report, and the heap after a full GC back within 10% of where it was after warm-up.
 * Not part of {@code mvn verify} (tag {@code soak}); the command is in bench/README.md.
 */
@Tag("soak")
class SoakTest {
    private static final int CONNECTIONS = 64;
    private static final int WARM_UP = Integer.getInteger("soak.warmup", 10_000);
    private static final int REQUESTS = Integer.getInteger("soak.requests", 200_000);
    private static final List<String> SCENARIOS = List.of("text", "allowed", "blocked", "pending", "stream", "text", "allowed");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mixedLoadLeavesNoErrorsNoLeaksAndNoGrowth(@TempDir Path dir) throws Exception {
        WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(64).jettyAcceptors(2));
        upstream.start();
        try {
            stubScenarios(upstream);
            Path config = dir.resolve("toolgate.yaml");
            Files.writeString(config, """
                    server: { host: 127.0.0.1, port: 0, public_url: "http://toolgate.test" }
                    upstream: { base_url: "%s/v1", timeout: 30s }
                    storage: { url: "jdbc:h2:file:%s/soak" }
                    keys:
                      - { name: support-bot, key: %s, role: agent }
                      - { name: ops, key: %s, role: admin }
                    """.formatted(upstream.baseUrl(), dir, TestGateway.AGENT_KEY, TestGateway.ADMIN_KEY) + TestGateway.STANDARD_RULES);
            try (GatewayProcess gateway = GatewayProcess.start(config, dir.resolve("gateway.log"),
                    "-Xmx256m", "-Dio.netty.leakDetection.level=advanced")) {
                OkHttpClient client = client();
                Tally warmUp = drive(client, gateway.baseUrl(), WARM_UP);
                // Stats are read from the audit table, so this also waits until the audit journal's
                // backlog is indexed: the heap is compared at rest, not with events still in flight.
                stats(client, gateway.baseUrl());
                long heapAfterWarmUp = gateway.heapUsedAfterFullGc();
                Map<String, Long> classesAfterWarmUp = bytesPerClass(gateway.classHistogram());

                long started = System.nanoTime();
                Tally soak = drive(client, gateway.baseUrl(), REQUESTS);
                double seconds = (System.nanoTime() - started) / 1e9;
                JsonNode stats = stats(client, gateway.baseUrl());
                long heapAfterSoak = gateway.heapUsedAfterFullGc();
                printGrowth(classesAfterWarmUp, bytesPerClass(gateway.classHistogram()));
                System.out.printf("SOAK database file %,d bytes%n", Files.size(dir.resolve("soak.mv.db")));

                String log = gateway.log();
                System.out.printf("SOAK %d requests in %.1f s (%.0f req/s); statuses %s; decided calls %d;"
                                + " audit events %d; heap after full GC %d KiB -> %d KiB%n",
                        REQUESTS, seconds, REQUESTS / seconds, soak.statuses, warmUp.decided.get() + soak.decided.get(),
                        stats.path("total").asLong(), heapAfterWarmUp / 1024, heapAfterSoak / 1024);

                assertThat(soak.serverErrors.get() + warmUp.serverErrors.get()).as("5xx answers").isZero();
                assertThat(soak.failures.get() + warmUp.failures.get()).as("requests that failed outright").isZero();
                assertThat(stats.path("total").asLong()).as("audit events").isEqualTo(warmUp.decided.get() + soak.decided.get());
                assertThat(log).doesNotContain("LEAK:");
                assertThat(heapAfterSoak).as("heap after a full GC").isLessThanOrEqualTo((long) (heapAfterWarmUp * 1.10));
            }
        } finally {
            upstream.stop();
        }
    }

    /** Bytes of live instances per class name, from a class histogram. */
    private static Map<String, Long> bytesPerClass(String histogram) {
        Map<String, Long> bytes = new HashMap<>();
        for (String line : histogram.split("\n")) {
            // "   1:        123456       7890123  java.lang.String (java.base@17)"
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                bytes.put(fields[3], Long.parseLong(fields[2]));
            }
        }
        return bytes;
    }

    /** The classes whose live bytes grew most during the soak: where to look when the heap criterion fails. */
    private static void printGrowth(Map<String, Long> before, Map<String, Long> after) {
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(15)
                .forEach(e -> System.out.printf("SOAK heap growth %,10d bytes  %s%n", e.getValue(), e.getKey()));
    }

    /** What the clients saw. */
    private static final class Tally {
        final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        final AtomicLong decided = new AtomicLong();
        final AtomicLong serverErrors = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
    }

    private static Tally drive(OkHttpClient client, String baseUrl, int requests) throws InterruptedException {
        Tally tally = new Tally();
        AtomicInteger next = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(CONNECTIONS);
        for (int w = 0; w < CONNECTIONS; w++) {
            workers.execute(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    String scenario = SCENARIOS.get(i % SCENARIOS.size());
                    boolean stream = scenario.equals("stream");
                    String body = "{\"model\":\"m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + scenario + "\"}]}";
                    Request request = new Request.Builder().url(baseUrl + "/v1/chat/completions")
                            .header("x-api-key", TestGateway.AGENT_KEY).header("x-scenario", scenario)
                            .post(RequestBody.create(body, TestGateway.JSON)).build();
                    try (Response response = client.newCall(request).execute()) {
                        response.body().bytes();
                        tally.statuses.computeIfAbsent(response.code(), c -> new AtomicInteger()).incrementAndGet();
                        if (response.code() >= 500) {
                            tally.serverErrors.incrementAndGet();
                        } else if (!scenario.equals("text") && !stream) {
                            tally.decided.incrementAndGet();
                        }
                    } catch (Exception e) {
                        tally.failures.incrementAndGet();
                    }
                }
            });
        }
        workers.shutdown();
        workers.awaitTermination(30, TimeUnit.MINUTES);
        return tally;
    }

    private static void stubScenarios(WireMockServer upstream) {
        Map<String, String> bodies = Map.of(
                "text", ChatBodies.TEXT_ANSWER,
                "allowed", ChatBodies.withToolCalls(call("call_r", "read_file", "{\"path\":\"/srv/report.txt\"}")),
                "blocked", ChatBodies.withToolCalls(call("call_d", "delete_file", "{\"path\":\"/srv/old.txt\"}")),
                "pending", ChatBodies.withToolCalls(call("call_w", "wire_transfer", "{\"amount\":5000,\"to\":\"acme\"}")));
        bodies.forEach((scenario, body) -> upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withHeader("x-scenario", equalTo(scenario))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body))));
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            stream.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,")
                    .append("\"delta\":{\"content\":\"word ").append(i).append(" \"},\"finish_reason\":null}]}\n\n");
        }
        stream.append("data: [DONE]\n\n");
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).withHeader("x-scenario", equalTo("stream"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(stream.toString())));
    }

    private static OkHttpClient client() {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(CONNECTIONS);
        dispatcher.setMaxRequestsPerHost(CONNECTIONS);
        return new OkHttpClient.Builder().dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(CONNECTIONS, 5, TimeUnit.MINUTES))
                .readTimeout(Duration.ofSeconds(60)).build();
    }

    private static JsonNode stats(OkHttpClient client, String baseUrl) throws Exception {
        try (Response response = client.newCall(new Request.Builder().url(baseUrl + "/api/stats")
                .header("x-api-key", TestGateway.ADMIN_KEY).build()).execute()) {
            return JSON.readTree(response.body().string());
        }
    }
}
