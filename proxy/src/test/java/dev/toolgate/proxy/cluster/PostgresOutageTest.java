package dev.toolgate.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.testing.PostgresServer;
import dev.toolgate.storage.testing.TestDatabases;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL killed in the middle of a load on two gateways: while it is down decisions fail
 * closed (503 DECISION_UNAVAILABLE, nothing released), every decision a client received survives
 * in the audit with the chain whole, and decisions succeed again, by themselves, once it is back.
 */
class PostgresOutageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";

    private record Outcome(int status, JsonNode body) {
    }

    @Test
    void decisionsFailClosedWhileTheDatabaseIsDownAndNothingAcknowledgedIsLost() throws Exception {
        PostgresServer postgres = TestDatabases.postgres();
        String database = postgres.freshUrl();
        List<TestGateway> gateways = List.of(gateway(database), gateway(database));
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger counter = new AtomicInteger();
        ExecutorService agents = Executors.newFixedThreadPool(6);
        try {
            for (int worker = 0; worker < 6; worker++) {
                TestGateway gateway = gateways.get(worker % 2);
                agents.submit(() -> {
                    while (running.get()) {
                        outcomes.add(intercept(gateway, "{\"path\":\"/srv/" + counter.incrementAndGet() + "\"}"));
                    }
                    return null;
                });
            }
            awaitSuccesses(outcomes, 200);
            postgres.kill();
            try {
                Thread.sleep(3_000);
            } finally {
                postgres.start();
            }
            int beforeRecovery = successes(outcomes);
            awaitSuccesses(outcomes, beforeRecovery + 200);
        } finally {
            running.set(false);
            agents.shutdown();
            assertThat(agents.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }

        List<String> acknowledged = new ArrayList<>();
        int failedClosed = 0;
        for (Outcome outcome : outcomes) {
            if (outcome.status() == 200) {
                assertThat(outcome.body().path("allowed").asBoolean()).isTrue();
                acknowledged.add(outcome.body().path("decision_id").asText());
            } else {
                assertThat(outcome.status()).as(outcome.body().toString()).isEqualTo(503);
                assertThat(outcome.body().at("/error/code").asText()).isEqualTo("DECISION_UNAVAILABLE");
                failedClosed++;
            }
        }
        assertThat(failedClosed).as("requests made while the database was down").isPositive();
        TestGateway survivor = gateways.get(1);
        for (String decisionId : acknowledged) {
            assertThat(survivor.gateway().storage().auditLog().findByEventId(decisionId)).as(decisionId).isPresent();
        }
        try (Response verify = survivor.get("/api/audit/verify", TestGateway.ADMIN_KEY)) {
            JsonNode result = JSON.readTree(verify.body().string());
            assertThat(result.path("valid").asBoolean()).as(result.toString()).isTrue();
            assertThat(result.path("events").asLong()).isGreaterThanOrEqualTo(acknowledged.size());
        }
        gateways.forEach(TestGateway::close);
    }

    private static TestGateway gateway(String database) {
        return TestGateway.builder(NO_UPSTREAM).storage(database).storageSetting("timeout", "2s").start();
    }

    private static Outcome intercept(TestGateway gateway, String arguments) {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"read_file\",\"arguments\":" + arguments + "}")) {
            return new Outcome(response.code(), JSON.readTree(response.body().string()));
        } catch (IOException e) {
            throw new AssertionError("the gateway did not answer", e);
        }
    }

    private static int successes(ConcurrentLinkedQueue<Outcome> outcomes) {
        return (int) outcomes.stream().filter(outcome -> outcome.status() == 200).count();
    }

    private static void awaitSuccesses(ConcurrentLinkedQueue<Outcome> outcomes, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (successes(outcomes) < count) {
            assertThat(System.nanoTime() - deadline).as("decisions succeed again").isNegative();
            Thread.sleep(50);
        }
    }
}
