package dev.toolgate.proxy.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import dev.toolgate.storage.testing.TestDatabases;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three gateways, A, B and C, on one PostgreSQL database, as behind a load balancer: what one
 * instance holds, decides or changes is seen by the others, one audit hash chain per workspace
 * stays whole under concurrent writers, and nothing that matters lives in one process's memory.
 */
class ClusterTest {
    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WIRE_ARGUMENTS = "{\"amount\":5000,\"to\":\"GB29NWBK60161331926819\"}";
    private static final String CONVERSATION = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Pay the invoice\"}]}";
    /** The documented bound for a change on one instance to apply on the others. */
    private static final Duration PROPAGATION = Duration.ofSeconds(1);

    private final MutableClock clock = MutableClock.startingNow();
    private final List<TestGateway> gateways = new ArrayList<>();
    private String database;
    private TestGateway a;
    private TestGateway b;
    private TestGateway c;

    @BeforeEach
    void start() {
        database = TestDatabases.postgres().freshUrl();
        a = gateway();
        b = gateway();
        c = gateway();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(call("call_wire1", "wire_transfer", WIRE_ARGUMENTS)))));
    }

    @AfterEach
    void stop() {
        gateways.forEach(TestGateway::close);
    }

    private TestGateway gateway() {
        TestGateway gateway = TestGateway.builder(upstream.baseUrl() + "/v1").storage(database).clock(clock)
                .extra("approvals: { expire_after: 1h }\n").start();
        gateways.add(gateway);
        return gateway;
    }

    private static JsonNode json(Response response) throws IOException {
        return JSON.readTree(response.body().string());
    }

    private static JsonNode chat(TestGateway gateway) throws IOException {
        try (Response response = gateway.post("/v1/chat/completions", TestGateway.AGENT_KEY, CONVERSATION)) {
            assertThat(response.code()).isEqualTo(200);
            return json(response);
        }
    }

    private static JsonNode intercept(TestGateway gateway, String tool, String arguments) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"" + tool + "\",\"arguments\":" + arguments + "}")) {
            return json(response);
        }
    }

    private static int modelCalls() {
        return upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size();
    }

    private List<AuditEvent> audit() {
        return b.gateway().storage().auditLog().query(AuditQuery.of("default").withPage(1, 1000)).events();
    }

    /** Asks {@code question} until it is true, for at most {@code within}; returns how long that took. */
    private static Duration within(Duration within, Callable<Boolean> question) throws Exception {
        long started = System.nanoTime();
        while (!question.call()) {
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("still not true").isLessThan(within);
            Thread.sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Test
    void aCallHeldOnAIsApprovedOnBAndItsRetryOnCReplaysTheExactCallOnce() throws Exception {
        JsonNode held = chat(a);
        String approvalId = held.at("/_toolgate/approval_id").asText();
        assertThat(held.at("/_toolgate/status").asText()).isEqualTo("pending_approval");

        // C learns of the held conversation within the documented bound; a retry reaching C before anyone
        // decided then gets the same approval, not a second one, and the model is not asked again.
        String conversation = a.gateway().storage().approvals().find("default", approvalId).orElseThrow().conversationDigest();
        within(PROPAGATION, () -> c.gateway().approvals().recognisesConversation(conversation));
        assertThat(chat(c).at("/_toolgate/approval_id").asText()).isEqualTo(approvalId);
        assertThat(modelCalls()).isEqualTo(1);

        try (Response decided = b.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                "{\"action\":\"approved\",\"note\":\"checked\"}")) {
            assertThat(decided.code()).isEqualTo(200);
        }
        JsonNode replayed = chat(c);
        assertThat(replayed.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("call_wire1");
        assertThat(replayed.at("/choices/0/message/tool_calls/0/function/arguments").asText()).isEqualTo(WIRE_ARGUMENTS);
        assertThat(replayed.at("/_toolgate/approved_by").asText()).isEqualTo("api:ops");
        assertThat(modelCalls()).as("the model was asked once, on A").isEqualTo(1);
        assertThat(a.gateway().storage().approvals().find("default", approvalId).orElseThrow().status())
                .isEqualTo(ApprovalStatus.CONSUMED);
    }

    @Test
    void twoInstancesSeeingTheRetryAtOnceReleaseTheApprovedCallExactlyOnce() throws Exception {
        for (int round = 0; round < 5; round++) {
            String arguments = "{\"amount\":" + (2000 + round) + ",\"to\":\"acme\"}";
            String approvalId = intercept(a, "wire_transfer", arguments).path("approval_id").asText();
            try (Response decided = a.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY,
                    "{\"action\":\"approved\"}")) {
                assertThat(decided.code()).isEqualTo(200);
            }
            List<JsonNode> answers = race(() -> intercept(b, "wire_transfer", arguments), () -> intercept(c, "wire_transfer", arguments));
            assertThat(answers).filteredOn(answer -> answer.path("allowed").asBoolean()).as("round %d: %s", round, answers).hasSize(1);
            assertThat(audit()).filteredOn(event -> approvalId.equals(event.approvalId()) && event.decision().equals("allowed"))
                    .hasSize(1);
        }
    }

    @Test
    void killSwitchRulesAndNotificationSettingsChangedOnAApplyOnBAndCWithinASecond() throws Exception {
        assertThat(intercept(b, "send_email", "{}").path("allowed").asBoolean()).isTrue();
        try (Response blocked = a.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":\"send_email\"}")) {
            assertThat(blocked.code()).isEqualTo(201);
        }
        for (TestGateway other : List.of(b, c)) {
            within(PROPAGATION, () -> intercept(other, "send_email", "{}").path("status").asText().equals("blocked"));
        }

        try (Response created = a.post("/api/approval-rules", TestGateway.ADMIN_KEY,
                "{\"rule_text\":\"No cloud deploys\",\"action\":\"block\",\"tools\":[\"deploy\"]}")) {
            assertThat(created.code()).isEqualTo(201);
        }
        for (TestGateway other : List.of(b, c)) {
            within(PROPAGATION, () -> intercept(other, "deploy", "{}").path("status").asText().equals("blocked"));
        }

        try (Response removed = a.delete("/api/blocked-tools/send_email", TestGateway.ADMIN_KEY)) {
            assertThat(removed.code()).isEqualTo(200);
        }
        within(PROPAGATION, () -> intercept(c, "send_email", "{}").path("allowed").asBoolean());

        try (Response put = a.http().newCall(new okhttp3.Request.Builder().url(a.baseUrl() + "/api/notification-settings")
                .header("x-api-key", TestGateway.ADMIN_KEY)
                .put(okhttp3.RequestBody.create("{\"notify_email\":\"approvers@example.com\"}", TestGateway.JSON)).build()).execute()) {
            assertThat(put.code()).isEqualTo(200);
        }
        try (Response settings = b.get("/api/notification-settings", TestGateway.ADMIN_KEY)) {
            assertThat(json(settings).path("notify_email").asText()).isEqualTo("approvers@example.com");
        }
    }

    @Test
    void anApprovalExpiresOnceAcrossInstances() throws Exception {
        String approvalId = intercept(a, "wire_transfer", WIRE_ARGUMENTS).path("approval_id").asText();
        clock.advance(Duration.ofHours(2));

        List<Integer> expired = race(() -> b.gateway().approvals().expireDue(), () -> c.gateway().approvals().expireDue());

        assertThat(expired).containsExactlyInAnyOrder(0, 1);
        assertThat(audit()).filteredOn(event -> approvalId.equals(event.approvalId()) && event.decision().equals("expired"))
                .hasSize(1);
    }

    @Test
    void anIdempotencyKeyHoldsAcrossInstancesAndRestarts() throws Exception {
        String body = "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/srv/a.txt\"}}";
        String first;
        try (Response response = a.http().newCall(new okhttp3.Request.Builder().url(a.baseUrl() + "/api/intercept")
                .header("x-api-key", TestGateway.AGENT_KEY).header("Idempotency-Key", "order-42")
                .post(okhttp3.RequestBody.create(body, TestGateway.JSON)).build()).execute()) {
            first = response.body().string();
        }
        a.close();
        gateways.remove(a);
        TestGateway restarted = gateway();
        for (TestGateway other : List.of(b, restarted)) {
            try (Response response = other.http().newCall(new okhttp3.Request.Builder().url(other.baseUrl() + "/api/intercept")
                    .header("x-api-key", TestGateway.AGENT_KEY).header("Idempotency-Key", "order-42")
                    .post(okhttp3.RequestBody.create(body, TestGateway.JSON)).build()).execute()) {
                assertThat(response.header("Idempotent-Replayed")).isEqualTo("true");
                assertThat(response.body().string()).isEqualTo(first);
            }
        }
        assertThat(audit()).filteredOn(event -> event.tool().equals("read_file")).hasSize(1);
    }

    @Test
    void concurrentLoadOnThreeInstancesKeepsOneWholeChainWithAnEventPerDecidedCall() throws Exception {
        int perInstance = 2_000;
        ExecutorService agents = Executors.newFixedThreadPool(12);
        try {
            List<Future<Integer>> decided = new ArrayList<>();
            for (TestGateway gateway : List.of(a, b, c)) {
                for (int worker = 0; worker < 4; worker++) {
                    int from = worker * perInstance / 4;
                    decided.add(agents.submit(() -> {
                        int ok = 0;
                        for (int i = from; i < from + perInstance / 4; i++) {
                            JsonNode answer = intercept(gateway, "read_file", "{\"path\":\"/srv/" + i + ".txt\"}");
                            ok += answer.hasNonNull("decision_id") ? 1 : 0;
                        }
                        return ok;
                    }));
                }
            }
            int total = 0;
            for (Future<Integer> worker : decided) {
                total += worker.get(5, TimeUnit.MINUTES);
            }
            assertThat(total).isEqualTo(3 * perInstance);
        } finally {
            agents.shutdownNow();
        }
        try (Response verify = b.get("/api/audit/verify", TestGateway.ADMIN_KEY)) {
            JsonNode result = json(verify);
            assertThat(result.path("valid").asBoolean()).as(result.toString()).isTrue();
            assertThat(result.path("events").asLong()).isEqualTo(3L * perInstance);
        }
    }

    private static <T> List<T> race(Callable<T> first, Callable<T> second) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Future<T> one = threads.submit(() -> {
                go.await();
                return first.call();
            });
            Future<T> two = threads.submit(() -> {
                go.await();
                return second.call();
            });
            go.countDown();
            return List.of(one.get(30, TimeUnit.SECONDS), two.get(30, TimeUnit.SECONDS));
        } finally {
            threads.shutdownNow();
        }
    }
}
