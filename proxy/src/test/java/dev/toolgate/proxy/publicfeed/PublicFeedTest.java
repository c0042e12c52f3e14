package dev.toolgate.proxy.publicfeed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /public/live/status} and {@code /public/live/feed}: off unless configured, no key,
 * rate limited per address, and never anything but safe identifiers.
 */
class PublicFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String FEED_ON = """
            public_feed:
              enabled: true
              agents: [support-bot]
              rate_limit: unlimited
            """;
    private static final Set<String> EVENT_FIELDS = Set.of("agent", "tool", "decision", "time", "amount");
    private static final Set<String> STATUS_FIELDS = Set.of("agent", "status", "last_action", "last_decision", "last_decision_at",
            "breaker");
    private static final List<String> TOOLS = List.of("wire_transfer", "delete_file", "read_file", "refund_create", "drop_database",
            "search_orders");

    @Test
    void isOffByDefault() throws IOException {
        try (TestGateway gateway = TestGateway.start(NO_UPSTREAM);
             Response status = gateway.get("/public/live/status", null);
             Response feed = gateway.get("/public/live/feed", null)) {
            assertThat(status.code()).isEqualTo(404);
            assertThat(feed.code()).isEqualTo(404);
        }
    }

    @Test
    void showsAllowListedAgentsWithoutAKeyAndCanBeCached() throws IOException {
        try (TestGateway gateway = TestGateway.builder(NO_UPSTREAM).extra(FEED_ON).start()) {
            intercept(gateway, TestGateway.AGENT_KEY, "wire_transfer", "{\"amount\":2500,\"iban\":\"GB00TEST\"}");
            intercept(gateway, TestGateway.ADMIN_KEY, "delete_file", "{\"path\":\"/srv/a\"}");  // ops: not on the list

            try (Response response = gateway.get("/public/live/status", null)) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.header("Cache-Control")).isEqualTo("public, max-age=5");
                JsonNode agents = JSON.readTree(response.body().string()).path("agents");
                assertThat(agents).singleElement().satisfies(agent -> {
                    assertThat(agent.path("agent").asText()).isEqualTo("support-bot");
                    assertThat(agent.path("status").asText()).isEqualTo("active");
                    assertThat(agent.path("last_action").asText()).isEqualTo("wire_transfer");
                    assertThat(agent.path("last_decision").asText()).isEqualTo("pending");
                    assertThat(agent.path("breaker").asText()).isEqualTo("monitoring");
                });
            }
            try (Response halted = gateway.post("/api/agents/support-bot/halt", TestGateway.ADMIN_KEY,
                    "{\"reason\":\"suspected leak in ticket 4411\"}")) {
                assertThat(halted.code()).isEqualTo(200);
            }
            String status = body(gateway, "/public/live/status");
            assertThat(JSON.readTree(status).path("agents").get(0).path("breaker").asText()).isEqualTo("halt");
            assertThat(status).as("the admin's reason stays private").doesNotContain("4411");
            try (Response response = gateway.get("/public/live/feed?limit=5", null)) {
                JsonNode events = JSON.readTree(response.body().string()).path("events");
                assertThat(events).singleElement().satisfies(event -> {
                    assertThat(event.path("tool").asText()).isEqualTo("wire_transfer");
                    assertThat(event.path("amount").asText()).isEqualTo("1k-10k");
                });
            }
            try (Response response = gateway.get("/public/live/feed?limit=zero", null)) {
                assertThat(response.code()).isEqualTo(400);
            }
        }
    }

    @Test
    void isRateLimitedPerAddress() throws IOException {
        String limited = """
                public_feed:
                  enabled: true
                  agents: [support-bot]
                  rate_limit: { requests_per_minute: 60, burst: 2 }
                """;
        try (TestGateway gateway = TestGateway.builder(NO_UPSTREAM).extra(limited).start()) {
            for (int i = 0; i < 2; i++) {
                try (Response response = gateway.get("/public/live/feed", null)) {
                    assertThat(response.code()).isEqualTo(200);
                }
            }
            try (Response response = gateway.get("/public/live/status", null)) {
                assertThat(response.code()).isEqualTo(429);
                assertThat(response.header("Retry-After")).isEqualTo("1");
            }
        }
    }

    /**
     * Property: whatever calls the agents make (seeded random tools, arguments full of values,
     * secrets, emails and card numbers, tool names that are not identifiers), whatever approvers
     * decide and write in their notes, neither public answer contains an argument value, a secret,
     * an approval or decision id, a rule's id or text, a key or a note.
     */
    @Test
    void neverShowsAnArgumentValueSecretOrApprovalIdOfGeneratedCalls() throws IOException {
        long seed = Long.getLong("toolgate.seed", 20261201L);
        Random random = new Random(seed);
        List<String> forbidden = new ArrayList<>(List.of(TestGateway.AGENT_KEY, TestGateway.ADMIN_KEY, "no-deletes",
                "big-transfers", "env-files", "kill-switch", "policy.default", "Block all file deletions", "needs approval",
                "finance@example.com", "GB00", "api:ops"));
        try (TestGateway gateway = TestGateway.builder(NO_UPSTREAM).extra(FEED_ON).start()) {
            for (int i = 0; i < 120; i++) {
                String key = random.nextInt(5) == 0 ? TestGateway.ADMIN_KEY : TestGateway.AGENT_KEY;
                String tool = random.nextInt(15) == 0 ? "leak " + token(random, "sk-") : TOOLS.get(random.nextInt(TOOLS.size()));
                ObjectNode args = JSON.createObjectNode();
                String value = token(random, "val-");
                String secret = token(random, "sk-live-");
                String email = token(random, "user-") + "@customer.example";
                String card = "4111 1111 " + (1000 + random.nextInt(9000)) + " " + (1000 + random.nextInt(9000));
                double amount = 1 + random.nextInt(90_000) + 0.37;
                args.put("note", value).put("api_key", secret).put("email", email).put("card", card).put("amount", amount);
                if (random.nextBoolean()) {
                    String path = random.nextBoolean() ? "/app/.env" : "/srv/" + token(random, "file-");
                    args.put("path", path);
                    forbidden.add(path);
                }
                args.putObject("nested").put("secret", token(random, "nested-"));
                forbidden.addAll(List.of(value, secret, email, card, Double.toString(amount), args.path("nested").path("secret").asText()));
                if (tool.startsWith("leak ")) {
                    forbidden.add(tool.substring("leak ".length()));
                }
                JsonNode answer = intercept(gateway, key, tool, args.toString());
                forbidden.add(answer.path("decision_id").asText());
                if (answer.hasNonNull("approval_id")) {
                    String approvalId = answer.path("approval_id").asText();
                    forbidden.add(approvalId);
                    if (random.nextBoolean()) {
                        String note = token(random, "note-");
                        forbidden.add(note);
                        decide(gateway, approvalId, random.nextBoolean() ? "approved" : "denied", note);
                    }
                }
            }
            String status = body(gateway, "/public/live/status");
            String feed = body(gateway, "/public/live/feed?limit=100");

            for (String text : forbidden) {
                assertThat(status).as("seed %d: status shows %s", seed, text).doesNotContain(text);
                assertThat(feed).as("seed %d: feed shows %s", seed, text).doesNotContain(text);
            }
            JsonNode events = JSON.readTree(feed).path("events");
            assertThat(events).isNotEmpty().allSatisfy(event -> {
                assertThat(event.path("agent").asText()).isEqualTo("support-bot");
                assertThat(names(event)).isSubsetOf(EVENT_FIELDS);
                assertThat(event.path("amount").asText()).isIn("<100", "100-1k", "1k-10k", ">10k");
            });
            assertThat(JSON.readTree(status).path("agents")).allSatisfy(agent -> assertThat(names(agent)).isSubsetOf(STATUS_FIELDS));
        }
    }

    private static JsonNode intercept(TestGateway gateway, String key, String tool, String arguments) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("tool_name", tool).put("arguments", arguments);
        try (Response response = gateway.post("/api/intercept", key, body.toString())) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private static void decide(TestGateway gateway, String approvalId, String action, String note) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("action", action).put("note", note);
        try (Response response = gateway.post("/api/pending-approvals/" + approvalId + "/decide", TestGateway.ADMIN_KEY, body.toString())) {
            assertThat(response.code()).as(response.body().string()).isEqualTo(200);
        }
    }

    private static String body(TestGateway gateway, String path) throws IOException {
        try (Response response = gateway.get(path, null)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return text;
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String token(Random random, String prefix) {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }
}
