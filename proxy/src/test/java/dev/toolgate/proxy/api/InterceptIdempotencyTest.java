package dev.toolgate.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code Idempotency-Key} on {@code POST /api/intercept}: a retry gets the first answer, decided and audited once. */
class InterceptIdempotencyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String READ = "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}";
    private static final String TRANSFER = "{\"tool_name\":\"wire_transfer\",\"arguments\":{\"to\":\"acme\",\"amount\":2500}}";

    private final MutableClock clock = MutableClock.startingNow();
    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.builder(NO_UPSTREAM).clock(clock).start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    /** What the client got: status, body and whether it was a replay. */
    private record Answer(int status, String body, String replayed) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private Answer intercept(String key, Map<String, String> headers, String body) throws IOException {
        Request.Builder request = new Request.Builder().url(gateway.baseUrl() + "/api/intercept")
                .header("x-api-key", key).post(RequestBody.create(body, TestGateway.JSON));
        headers.forEach(request::header);
        try (Response response = gateway.http().newCall(request.build()).execute()) {
            return new Answer(response.code(), response.body().string(), response.header("Idempotent-Replayed"));
        }
    }

    private Answer intercept(String idempotencyKey, String body) throws IOException {
        return intercept(TestGateway.AGENT_KEY, Map.of("Idempotency-Key", idempotencyKey), body);
    }

    private List<AuditEvent> audited() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
    }

    @Test
    void aRetryGetsTheFirstAnswerAndWritesNoSecondAuditEvent() throws IOException {
        Answer first = intercept("evt-1", TRANSFER);
        Answer retry = intercept("evt-1", TRANSFER);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("status").asText()).isEqualTo("pending_approval");
        assertThat(first.replayed()).isNull();
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.replayed()).isEqualTo("true");
        assertThat(audited()).hasSize(1);
        assertThat(gateway.gateway().storage().approvals().countByStatus("default", ApprovalStatus.PENDING))
                .as("no second approval either").isEqualTo(1);
    }

    @Test
    void aRetryGetsTheOriginalDecisionEvenAfterThePolicyChanged() throws IOException {
        Answer first = intercept("evt-1", READ);
        try (Response blocked = gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":\"read_file\"}")) {
            assertThat(blocked.code()).isEqualTo(201);
        }

        Answer retry = intercept("evt-1", READ);
        Answer fresh = intercept("evt-2", READ);

        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.json().path("allowed").asBoolean()).isTrue();
        assertThat(fresh.json().path("allowed").asBoolean()).isFalse();
        assertThat(audited()).hasSize(2);
    }

    @Test
    void withoutAKeyEveryRequestIsDecided() throws IOException {
        intercept(TestGateway.AGENT_KEY, Map.of(), READ);
        intercept(TestGateway.AGENT_KEY, Map.of(), READ);

        assertThat(audited()).hasSize(2);
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() throws IOException {
        intercept("evt-1", READ);

        Answer reused = intercept("evt-1", TRANSFER);

        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.json().at("/error/code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(reused.json().at("/error/message").asText()).contains("evt-1");
        assertThat(audited()).hasSize(1);
    }

    @Test
    void xAlEventIdIsTheSameKey() throws IOException {
        Answer first = intercept(TestGateway.AGENT_KEY, Map.of("X-AL-Event-ID", "evt-1"), READ);
        Answer retry = intercept(TestGateway.AGENT_KEY, Map.of("X-AL-Event-ID", "evt-1"), READ);
        Answer viaStandardHeader = intercept("evt-1", READ);

        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(viaStandardHeader.body()).isEqualTo(first.body());
        assertThat(viaStandardHeader.replayed()).isEqualTo("true");
        assertThat(audited()).hasSize(1);
    }

    @Test
    void keysBelongToTheCaller() throws IOException {
        intercept(TestGateway.AGENT_KEY, Map.of("Idempotency-Key", "evt-1"), READ);
        Answer otherCaller = intercept(TestGateway.ADMIN_KEY, Map.of("Idempotency-Key", "evt-1"), READ);

        assertThat(otherCaller.replayed()).isNull();
        assertThat(audited()).extracting(AuditEvent::agent).containsExactlyInAnyOrder("support-bot", "ops");
    }

    @Test
    void concurrentDuplicatesAreDecidedOnce() throws Exception {
        int clients = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return intercept("evt-concurrent", TRANSFER);
                }));
            }
            go.countDown();

            List<Answer> received = new ArrayList<>();
            for (Future<Answer> answer : answers) {
                received.add(answer.get());
            }
            assertThat(received).extracting(Answer::status).containsOnly(200);
            assertThat(received).extracting(Answer::body).containsOnly(received.get(0).body());
            assertThat(received).filteredOn(answer -> answer.replayed() == null).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(audited()).hasSize(1);
    }

    @Test
    void answersAreRememberedFor24Hours() throws IOException {
        intercept("evt-1", READ);
        clock.advance(Duration.ofHours(23));
        assertThat(intercept("evt-1", READ).replayed()).isEqualTo("true");

        clock.advance(Duration.ofHours(2));
        Answer afterADay = intercept("evt-1", READ);

        assertThat(afterADay.replayed()).isNull();
        assertThat(audited()).hasSize(2);
    }

    @Test
    void unusableKeysAreRefused() throws IOException {
        Answer tooLong = intercept("k".repeat(256), READ);
        Answer conflicting = intercept(TestGateway.AGENT_KEY, Map.of("Idempotency-Key", "evt-1", "X-AL-Event-ID", "evt-2"), READ);

        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().at("/error/code").asText()).isEqualTo("INVALID_IDEMPOTENCY_KEY");
        assertThat(conflicting.status()).isEqualTo(400);
        assertThat(conflicting.json().at("/error/code").asText()).isEqualTo("INVALID_IDEMPOTENCY_KEY");
        assertThat(audited()).isEmpty();
    }
}
