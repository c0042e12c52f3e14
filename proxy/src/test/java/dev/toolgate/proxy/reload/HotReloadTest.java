package dev.toolgate.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.proxy.Gateway;
import dev.toolgate.proxy.testing.StreamingUpstream;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Editing {@code toolgate.yaml} under a running gateway: a rule added is enforced within two
 * seconds while a stream that was open finishes whole; a new key works and a removed one stops;
 * a broken edit is refused and the rules in force stay.
 */
class HotReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENT = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick \"},\"finish_reason\":null}]}\n\n";
    private static final int EVENTS = 20;
    private static final String NEW_AGENT_KEY = "second-agent-key-0123456789";
    private static final Duration APPLIES_WITHIN = Duration.ofSeconds(2);

    @TempDir
    Path directory;

    private Gateway gateway;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String config(String upstream, String extraKeys, String rules) {
        return """
                server:
                  host: 127.0.0.1
                  port: 0
                upstream:
                  base_url: "%s"
                storage:
                  url: "%s"
                keys:
                  - { name: support-bot, key: %s, role: agent }
                  - { name: ops, key: %s, role: admin }
                %spolicy:
                  default: allow
                rules:
                  - id: no-deletes
                    tools: [delete_file]
                    action: block
                %s""".formatted(upstream, TestGateway.memoryStorage(), TestGateway.AGENT_KEY, TestGateway.ADMIN_KEY, extraKeys, rules);
    }

    @Test
    void anAddedRuleIsEnforcedWithinTwoSecondsWhileAnOpenStreamFinishes() throws Exception {
        try (StreamingUpstream slow = new StreamingUpstream(out -> {
            for (int i = 0; i < EVENTS; i++) {
                out.write(EVENT);
                Thread.sleep(100);
            }
            out.write("data: [DONE]\n\n");
        }, true)) {
            Path file = directory.resolve("toolgate.yaml");
            Files.writeString(file, config(slow.baseUrl(), "", ""));
            start(file);
            assertThat(decide("wire_transfer", TestGateway.AGENT_KEY)).isEqualTo("allow");
            String versionBefore = policyVersion("wire_transfer");

            CompletableFuture<String> stream = CompletableFuture.supplyAsync(() -> {
                try (Response response = post("/v1/chat/completions", TestGateway.AGENT_KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}")) {
                    return response.body().string();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(slow.awaitRequest(10)).isTrue();

            Files.writeString(file, config(slow.baseUrl(), "", """
                      - id: no-transfers
                        tools: [wire_transfer]
                        action: block
                    """));
            long deadline = System.nanoTime() + APPLIES_WITHIN.toNanos();
            String outcome = decide("wire_transfer", TestGateway.AGENT_KEY);
            while (!outcome.equals("block") && System.nanoTime() < deadline) {
                Thread.sleep(50);
                outcome = decide("wire_transfer", TestGateway.AGENT_KEY);
            }
            assertThat(outcome).as("the new rule applies within %s", APPLIES_WITHIN).isEqualTo("block");
            assertThat(policyVersion("wire_transfer")).as("a new policy version").isNotEqualTo(versionBefore);
            assertThat(stream.get(20, TimeUnit.SECONDS)).as("the open stream finishes whole")
                    .isEqualTo(EVENT.repeat(EVENTS) + "data: [DONE]\n\n");
        }
    }

    @Test
    void keysAreReloadedAndABrokenEditKeepsTheRulesInForce() throws Exception {
        Path file = directory.resolve("toolgate.yaml");
        String blockTransfers = """
                  - id: no-transfers
                    tools: [wire_transfer]
                    action: block
                """;
        Files.writeString(file, config("http://127.0.0.1:9", "", blockTransfers));
        start(file);
        ConfigReloader reloader = gateway.watchConfig(file, Map.of());
        assertThat(decide("wire_transfer", NEW_AGENT_KEY)).as("unknown key").isEqualTo("401");
        String session = signInToDashboard();
        assertThat(logsWithSession(session)).isEqualTo(200);

        Files.writeString(file, config("http://127.0.0.1:9", "  - { name: second-bot, key: " + NEW_AGENT_KEY + ", role: agent }\n",
                blockTransfers).replace("  - { name: support-bot, key: " + TestGateway.AGENT_KEY + ", role: agent }\n", ""));
        assertThat(reloader.reload()).isTrue();
        assertThat(decide("wire_transfer", NEW_AGENT_KEY)).as("the added key works").isEqualTo("block");
        assertThat(decide("wire_transfer", TestGateway.AGENT_KEY)).as("the removed key is refused").isEqualTo("401");
        assertThat(logsWithSession(session)).as("the admin key stayed: so does its dashboard session").isEqualTo(200);
        String version = policyVersion("delete_file");

        // A rule whose condition does not compile, then a file that is not YAML: both refused.
        Files.writeString(file, config("http://127.0.0.1:9", "", blockTransfers + """
                  - id: broken
                    tools: [read_file]
                    when: "args.path.startsWith("
                    action: block
                """));
        assertThat(reloader.reload()).isFalse();
        Files.writeString(file, "rules: [unclosed\n");
        assertThat(reloader.reload()).isFalse();

        assertThat(decide("wire_transfer", NEW_AGENT_KEY)).as("the previous rules stay").isEqualTo("block");
        assertThat(decide("read_file", NEW_AGENT_KEY)).isEqualTo("allow");
        assertThat(policyVersion("delete_file")).isEqualTo(version);

        Files.writeString(file, config("http://127.0.0.1:9", "", blockTransfers)
                .replace("  - { name: ops, key: " + TestGateway.ADMIN_KEY + ", role: admin }\n", ""));
        assertThat(reloader.reload()).isTrue();
        assertThat(logsWithSession(session)).as("a removed admin key ends its dashboard sessions").isEqualTo(401);
    }

    /** Signs the admin in to the dashboard; returns the session cookie. */
    private String signInToDashboard() throws IOException {
        try (Response response = http.newCall(new Request.Builder().url("http://127.0.0.1:" + gateway.port() + "/dashboard/sign-in")
                .post(new FormBody.Builder().add("key", TestGateway.ADMIN_KEY).build()).build()).execute()) {
            String cookie = response.header("Set-Cookie");
            assertThat(cookie).startsWith("toolgate_session=");
            return cookie.substring(0, cookie.indexOf(';'));
        }
    }

    private int logsWithSession(String cookie) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url("http://127.0.0.1:" + gateway.port() + "/api/logs")
                .header("Cookie", cookie).build()).execute()) {
            return response.code();
        }
    }

    @Test
    void aReloadKeepsTheRequestsAKeySpentUnlessItsLimitChanged() throws Exception {
        Path file = directory.resolve("toolgate.yaml");
        String limited = config("http://127.0.0.1:9", "", "").replace("role: agent }", "role: agent, rate_limit: { requests_per_minute: 5 } }");
        Files.writeString(file, limited);
        start(file);
        ConfigReloader reloader = gateway.watchConfig(file, Map.of());
        assertThat(remaining()).isEqualTo("4");
        assertThat(remaining()).isEqualTo("3");

        Files.writeString(file, limited + """
                  - id: no-transfers
                    tools: [wire_transfer]
                    action: block
                """);
        assertThat(reloader.reload()).isTrue();
        assertThat(remaining()).as("an unrelated edit hands out no fresh burst").isEqualTo("2");

        Files.writeString(file, limited.replace("requests_per_minute: 5", "requests_per_minute: 10"));
        assertThat(reloader.reload()).isTrue();
        assertThat(remaining()).as("a changed limit starts a bucket of its own").isEqualTo("9");
    }

    @Test
    void anEditedToolTaxonomyScoresTheNextDecision() throws Exception {
        Path file = directory.resolve("toolgate.yaml");
        String plain = config("http://127.0.0.1:9", "", "");
        Files.writeString(file, plain);
        start(file);
        ConfigReloader reloader = gateway.watchConfig(file, Map.of());
        double before = riskScore("launch_rocket");

        Files.writeString(file, plain + """
                risk:
                  categories:
                    - { name: launches, sensitivity: critical, tools: ["launch_*"] }
                """);
        assertThat(reloader.reload()).isTrue();
        assertThat(riskScore("launch_rocket")).as("the new category counts from the next decision").isGreaterThan(before);
    }

    private double riskScore(String tool) throws IOException {
        try (Response response = post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"" + tool + "\",\"arguments\":{}}")) {
            assertThat(response.code()).isEqualTo(200);
            return JSON.readTree(response.body().string()).path("risk_score").asDouble();
        }
    }

    /** The agent key's requests left, as its next answer says. */
    private String remaining() throws IOException {
        try (Response response = post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"noop\",\"arguments\":{}}")) {
            return response.header("X-RateLimit-Remaining");
        }
    }

    private void start(Path file) throws Exception {
        gateway = Gateway.start(ConfigLoader.load(file, Map.of()), Clock.systemUTC());
        gateway.watchConfig(file, Map.of());
    }

    /** The intercept API's decision on a call of {@code tool}, or the status when it answers no decision. */
    private String decide(String tool, String key) throws IOException {
        try (Response response = post("/api/intercept", key, "{\"tool_name\":\"" + tool + "\",\"arguments\":{\"amount\":10}}")) {
            if (response.code() != 200) {
                return Integer.toString(response.code());
            }
            return JSON.readTree(response.body().string()).path("decision").asText();
        }
    }

    private String policyVersion(String tool) throws IOException {
        try (Response response = post("/api/intercept", decideKey(), "{\"tool_name\":\"" + tool + "\",\"arguments\":{}}")) {
            JsonNode body = JSON.readTree(response.body().string());
            return body.path("policy_version").asText();
        }
    }

    private String decideKey() throws IOException {
        try (Response response = post("/api/intercept", TestGateway.AGENT_KEY, "{\"tool_name\":\"noop\",\"arguments\":{}}")) {
            return response.code() == 200 ? TestGateway.AGENT_KEY : NEW_AGENT_KEY;
        }
    }

    private Response post(String path, String key, String json) throws IOException {
        return http.newCall(new Request.Builder().url("http://127.0.0.1:" + gateway.port() + path)
                .header("x-toolgate-key", key)
                .post(RequestBody.create(json, TestGateway.JSON)).build()).execute();
    }
}
