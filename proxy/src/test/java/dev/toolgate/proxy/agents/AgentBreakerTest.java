package dev.toolgate.proxy.agents;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.testing.ChatBodies.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.proxy.testing.WebhookInbox;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-agent circuit breaker through the real gateway, the OpenAI SDK as the agent: each state
 * as the agent sees it, the admin API, automatic trips, a second instance on the same database,
 * a restart, and the approvers' notification.
 */
class AgentBreakerTest {
    private static final WebhookInbox INBOX = new WebhookInbox();

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(INBOX)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SLACK = "/services/T0001/B0001/breaker";
    private static final String READ = "{\"path\":\"/srv/report.txt\"}";
    /** The documented bound for a change on one instance to apply on the others. */
    private static final Duration PROPAGATION = Duration.ofSeconds(1);

    private final MutableClock clock = MutableClock.startingNow();
    private final List<TestGateway> gateways = new ArrayList<>();
    private final List<OpenAIClient> clients = new ArrayList<>();
    private final String storage = TestGateway.memoryStorage();

    @BeforeEach
    void stubs() {
        INBOX.clear();
        upstreamCalls("read_file", READ);
        upstream.stubFor(post(urlEqualTo(SLACK)).willReturn(ok("ok")));
    }

    @AfterEach
    void stop() {
        clients.forEach(OpenAIClient::close);
        gateways.forEach(TestGateway::close);
    }

    private TestGateway gateway(String extraYaml) {
        TestGateway gateway = TestGateway.builder(upstream.baseUrl() + "/v1").storage(storage).clock(clock).extra(extraYaml).start();
        gateways.add(gateway);
        return gateway;
    }

    private OpenAIClient agent(TestGateway gateway) {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.baseUrl() + "/v1")
                .apiKey("sk-client-provider-key")
                .putHeader("x-api-key", TestGateway.AGENT_KEY)
                .maxRetries(0)
                .build();
        clients.add(client);
        return client;
    }

    private static void upstreamCalls(String tool, String arguments) {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatBodies.withToolCalls(call("call_1", tool, arguments)))));
    }

    private static ChatCompletion ask(OpenAIClient client) {
        return client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addUserMessage("Please do it")
                .build());
    }

    private static JsonNode metadata(ChatCompletion completion) {
        JsonValue block = completion._additionalProperties().get("_toolgate");
        assertThat(block).as("_toolgate block").isNotNull();
        return block.convert(JsonNode.class);
    }

    private static List<ChatCompletionMessageToolCall> toolCalls(ChatCompletion completion) {
        return completion.choices().get(0).message().toolCalls().orElse(List.of());
    }

    /** {@code POST /api/agents/support-bot/<action>} as admin ops; the answer's body. */
    private static JsonNode admin(TestGateway gateway, String action, String body) throws IOException {
        try (Response response = gateway.post("/api/agents/support-bot/" + action, TestGateway.ADMIN_KEY, body)) {
            assertThat(response.code()).as(action).isEqualTo(200);
            return JSON.readTree(response.body().string());
        }
    }

    private static JsonNode status(TestGateway gateway, String key) throws IOException {
        try (Response response = gateway.get("/api/agents/support-bot/status", key)) {
            JsonNode body = JSON.readTree(response.body().string());
            assertThat(response.code()).as(body.toString()).isEqualTo(200);
            return body;
        }
    }

    private static List<AuditEvent> breakerEvents(TestGateway gateway) {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default").withPage(1, 1000)).events().stream()
                .filter(event -> event.source().equals("breaker")).toList();
    }

    /** Asks {@code question} until it is true, for at most {@code within}. */
    private static void within(Duration within, Callable<Boolean> question) throws Exception {
        long started = System.nanoTime();
        while (!question.call()) {
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("still not true").isLessThan(within);
            Thread.sleep(20);
        }
    }

    @Test
    void haltHoldsEveryToolCallForApprovalUntilResumed() throws Exception {
        TestGateway gateway = gateway("");
        OpenAIClient client = agent(gateway);

        JsonNode halted = admin(gateway, "halt", "{\"reason\":\"investigating a leak\"}");
        assertThat(halted.path("state").asText()).isEqualTo("halt");
        assertThat(halted.path("changed_by").asText()).isEqualTo("api:ops");
        assertThat(halted.path("reason").asText()).isEqualTo("investigating a leak");

        ChatCompletion held = ask(client);
        assertThat(toolCalls(held)).isEmpty();
        assertThat(metadata(held).path("status").asText()).isEqualTo("pending_approval");
        assertThat(metadata(held).path("rule").asText()).isEqualTo("agent-breaker");
        assertThat(metadata(held).path("reason").asText()).contains("halted").contains("investigating a leak");
        String approvalId = metadata(held).path("approval_id").asText();
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId)).isPresent();

        assertThat(admin(gateway, "resume", "").path("state").asText()).isEqualTo("monitoring");
        ChatCompletion released = ask(client);
        assertThat(toolCalls(released)).extracting(c -> c.asFunction().function().name()).containsExactly("read_file");

        // Each change is in the audit log, hash-chained with the calls: who, what, why.
        assertThat(breakerEvents(gateway)).extracting(AuditEvent::decision).containsExactlyInAnyOrder("halt", "monitoring");
        AuditEvent halt = breakerEvents(gateway).stream().filter(e -> e.decision().equals("halt")).findFirst().orElseThrow();
        assertThat(halt.agent()).isEqualTo("support-bot");
        assertThat(halt.tool()).isEqualTo("-");
        assertThat(halt.decidedBy()).isEqualTo("api:ops");
        assertThat(halt.reasons()).singleElement().asString().contains("monitoring → halt").contains("investigating a leak");
    }

    @Test
    void haltBlocksInsteadWhenConfiguredTo() throws Exception {
        TestGateway gateway = gateway("agents: { breaker: { halt_action: block } }\n");
        admin(gateway, "halt", "");

        ChatCompletion blocked = ask(agent(gateway));

        assertThat(toolCalls(blocked)).isEmpty();
        assertThat(metadata(blocked).path("status").asText()).isEqualTo("blocked");
        assertThat(metadata(blocked).path("rule").asText()).isEqualTo("agent-breaker");
    }

    @Test
    void warnReleasesCallsButFlagsEachOne() throws Exception {
        TestGateway gateway = gateway("");
        admin(gateway, "warn", "{\"reason\":\"unusual hours\"}");

        ChatCompletion warned = ask(agent(gateway));

        assertThat(toolCalls(warned)).extracting(c -> c.asFunction().function().name()).containsExactly("read_file");
        JsonNode warning = metadata(warned).path("warnings").get(0);
        assertThat(warning.path("rule").asText()).isEqualTo("agent-breaker");
        assertThat(warning.path("reason").asText()).contains("on warn").contains("unusual hours");
        within(Duration.ofSeconds(2), () -> gateway.gateway().storage().auditLog().query(AuditQuery.of("default").withPage(1, 100))
                .events().stream().anyMatch(e -> e.source().equals("proxy") && e.decision().equals("warned")));
    }

    @Test
    void throttleBlocksToolCallsOverTheRate() throws Exception {
        TestGateway gateway = gateway("");
        OpenAIClient client = agent(gateway);
        assertThat(admin(gateway, "throttle", "{\"rate\":\"2/m\"}").path("throttle_rate").asText()).isEqualTo("2/m");

        assertThat(toolCalls(ask(client))).hasSize(1);
        assertThat(toolCalls(ask(client))).hasSize(1);
        ChatCompletion over = ask(client);
        // The HTTP request succeeds: only the tool call over the rate is refused, with the reason.
        assertThat(toolCalls(over)).isEmpty();
        assertThat(metadata(over).path("status").asText()).isEqualTo("blocked");
        assertThat(metadata(over).path("rule").asText()).isEqualTo("agent-breaker");
        assertThat(metadata(over).path("reason").asText()).contains("throttled to 2/m");

        clock.advance(Duration.ofSeconds(61));
        assertThat(toolCalls(ask(client))).hasSize(1);
    }

    @Test
    void aThrottleWithoutARateUsesTheConfiguredOne() throws Exception {
        TestGateway gateway = gateway("agents: { breaker: { throttle_rate: 30/h } }\n");
        assertThat(admin(gateway, "throttle", "").path("throttle_rate").asText()).isEqualTo("30/h");
        try (Response response = gateway.post("/api/agents/support-bot/throttle", TestGateway.ADMIN_KEY, "{\"rate\":\"fast\"}")) {
            assertThat(response.code()).isEqualTo(422);
            assertThat(response.body().string()).contains("10/m");
        }
    }

    @Test
    void aKilledKeyIsRefusedOnEveryRouteUntilResumed() throws Exception {
        TestGateway gateway = gateway("");
        OpenAIClient client = agent(gateway);
        admin(gateway, "kill", "{\"reason\":\"exfiltration attempt\"}");

        assertThatThrownBy(() -> ask(client)).isInstanceOfSatisfying(PermissionDeniedException.class, refused -> {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body().toString()).contains("AGENT_KILLED");
        });
        assertThat(upstream.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .as("a killed agent never reaches the model").isEmpty();
        try (Response intercept = gateway.post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"read_file\",\"arguments\":{}}")) {
            assertThat(intercept.code()).isEqualTo(403);
            JsonNode error = JSON.readTree(intercept.body().string()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("AGENT_KILLED");
            assertThat(error.path("message").asText()).contains("api:ops").contains("exfiltration attempt").contains("/resume");
        }
        try (Response own = gateway.get("/api/agents/support-bot/status", TestGateway.AGENT_KEY)) {
            assertThat(own.code()).isEqualTo(403);
        }
        try (Response list = gateway.get("/api/agents", TestGateway.ADMIN_KEY)) {
            JsonNode agents = JSON.readTree(list.body().string()).path("agents");
            assertThat(agents.findValuesAsText("name")).contains("support-bot", "ops");
            for (JsonNode agent : agents) {
                assertThat(agent.path("state").asText()).isEqualTo(agent.path("name").asText().equals("support-bot") ? "killed" : "monitoring");
            }
        }

        admin(gateway, "resume", "");
        assertThat(toolCalls(ask(client))).hasSize(1);
    }

    @Test
    void adminsActOnTheirOwnWorkspaceOnlyAndAgentsReadOnlyTheirOwnStatus() throws Exception {
        TestGateway gateway = gateway("");
        try (Response other = gateway.post("/api/agents/support-bot/halt", TestGateway.OTHER_WORKSPACE_ADMIN_KEY, "")) {
            assertThat(other.code()).isEqualTo(404);
        }
        try (Response unknown = gateway.post("/api/agents/nobody/halt", TestGateway.ADMIN_KEY, "")) {
            assertThat(unknown.code()).isEqualTo(404);
        }
        try (Response agent = gateway.post("/api/agents/support-bot/halt", TestGateway.AGENT_KEY, "")) {
            assertThat(agent.code()).isEqualTo(403);
        }
        try (Response self = gateway.post("/api/agents/ops/kill", TestGateway.ADMIN_KEY, "")) {
            assertThat(self.code()).isEqualTo(409);
        }
        try (Response someoneElse = gateway.get("/api/agents/ops/status", TestGateway.AGENT_KEY)) {
            assertThat(someoneElse.code()).isEqualTo(403);
        }
        assertThat(status(gateway, TestGateway.AGENT_KEY).path("state").asText()).isEqualTo("monitoring");
    }

    @Test
    void blockedCallsTripTheBreakerAutomatically() throws Exception {
        TestGateway gateway = gateway("""
                agents:
                  breaker:
                    trips:
                      - { when: blocked, count: 3, within: 10m, then: halt }
                """);
        OpenAIClient client = agent(gateway);
        upstreamCalls("delete_file", "{\"path\":\"/var/data/customers.csv\"}");

        ask(client);
        ask(client);
        // Outside the window: the first two no longer count.
        clock.advance(Duration.ofMinutes(11));
        ask(client);
        ask(client);
        Thread.sleep(200);
        assertThat(status(gateway, TestGateway.ADMIN_KEY).path("state").asText()).isEqualTo("monitoring");

        ask(client);
        within(Duration.ofSeconds(2), () -> status(gateway, TestGateway.ADMIN_KEY).path("state").asText().equals("halt"));
        JsonNode halted = status(gateway, TestGateway.ADMIN_KEY);
        assertThat(halted.path("changed_by").asText()).isEqualTo("breaker");
        assertThat(halted.path("reason").asText()).contains("3 blocked tool calls within 10m");

        upstreamCalls("read_file", READ);
        assertThat(metadata(ask(client)).path("status").asText()).isEqualTo("pending_approval");
        assertThat(breakerEvents(gateway)).singleElement().satisfies(event -> {
            assertThat(event.decision()).isEqualTo("halt");
            assertThat(event.decidedBy()).isEqualTo("breaker");
        });
    }

    @Test
    void manyCallsTripAThrottleAndATripNeverRelaxesAStricterState() throws Exception {
        TestGateway gateway = gateway("""
                agents:
                  breaker:
                    trips:
                      - { when: calls, count: 3, within: 1m, then: throttle, rate: 1/m }
                """);
        OpenAIClient client = agent(gateway);
        for (int i = 0; i < 3; i++) {
            assertThat(toolCalls(ask(client))).hasSize(1);
        }
        within(Duration.ofSeconds(2), () -> status(gateway, TestGateway.ADMIN_KEY).path("state").asText().equals("throttle"));
        assertThat(status(gateway, TestGateway.ADMIN_KEY).path("throttle_rate").asText()).isEqualTo("1/m");
        assertThat(toolCalls(ask(client))).hasSize(1);
        assertThat(toolCalls(ask(client))).isEmpty();

        admin(gateway, "halt", "");
        clock.advance(Duration.ofMinutes(5));
        for (int i = 0; i < 3; i++) {
            ask(client);
        }
        Thread.sleep(200);
        assertThat(status(gateway, TestGateway.ADMIN_KEY).path("state").asText()).isEqualTo("halt");
    }

    @Test
    void aSecondInstanceOnTheSameDatabaseSeesEachChangeAndARestartKeepsIt() throws Exception {
        TestGateway a = gateway("");
        TestGateway b = gateway("");
        OpenAIClient onB = agent(b);

        admin(a, "kill", "");
        within(PROPAGATION, () -> {
            try (Response response = b.post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"read_file\",\"arguments\":{}}")) {
                return response.code() == 403;
            }
        });
        assertThatThrownBy(() -> ask(onB)).isInstanceOf(PermissionDeniedException.class);

        admin(b, "halt", "{\"reason\":\"kept across restarts\"}");
        within(PROPAGATION, () -> status(a, TestGateway.ADMIN_KEY).path("state").asText().equals("halt"));

        a.close();
        gateways.remove(a);
        TestGateway restarted = gateway("");
        JsonNode after = status(restarted, TestGateway.ADMIN_KEY);
        assertThat(after.path("state").asText()).isEqualTo("halt");
        assertThat(after.path("reason").asText()).isEqualTo("kept across restarts");
        assertThat(metadata(ask(agent(restarted))).path("status").asText()).isEqualTo("pending_approval");
    }

    @Test
    void eachChangeIsSentToTheWorkspacesChannels() throws Exception {
        TestGateway gateway = gateway("notifications: { slack_webhook_url: \"%s%s\" }\n".formatted(upstream.baseUrl(), SLACK));

        admin(gateway, "throttle", "{\"rate\":\"5/m\",\"reason\":\"runaway loop\"}");

        String slack = INBOX.awaitBody(SLACK, 1);
        assertThat(slack).contains("Agent support-bot is now throttle (5/m)").contains("runaway loop").contains("api:ops")
                .contains("/api/agents/support-bot/resume");
    }
}
