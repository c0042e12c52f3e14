package dev.toolgate.proxy.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies as code through {@code /api/policies}: export and import round trip, refused manifests,
 * the diff, drafts, restores, and versions kept across a restart.
 */
class PolicyManifestApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final okhttp3.MediaType YAML = okhttp3.MediaType.get("application/yaml");

    /** Two API rules on top of the file's: deploys blocked, refunds over 100 held. */
    private static final String DEPLOYS_AND_REFUNDS = """
            policy:
              default: allow
              on_error: block
              blocked_tools: [drop_database, send_fax]
            rules:
              - id: no-deploys
                description: No deploys by agents
                tools: [deploy]
                action: block
              - id: big-refunds
                description: Refunds over 100 need a person
                tools: [issue_refund]
                when: "has(args.amount) && args.amount > 100"
                action: approve
            """;

    private TestGateway gateway;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private TestGateway start(String storage) {
        gateway = TestGateway.builder(NO_UPSTREAM).storage(storage).start();
        return gateway;
    }

    @Test
    void exportThenImportGivesTheSamePolicyVersionInYamlAndJson() throws Exception {
        start(TestGateway.memoryStorage());
        try (Response created = gateway.post("/api/approval-rules", TestGateway.ADMIN_KEY,
                "{\"rule_text\":\"No cloud deploys\",\"action\":\"block\",\"tools\":[\"deploy\"],\"when\":\"has(args.env)\"}")) {
            assertThat(created.code()).isEqualTo(201);
        }
        try (Response blocked = gateway.post("/api/blocked-tools", TestGateway.ADMIN_KEY, "{\"tool_name\":\"send_fax\"}")) {
            assertThat(blocked.code()).isEqualTo(201);
        }
        for (String format : new String[] {"yaml", "json"}) {
            String version;
            String manifest;
            try (Response export = gateway.get("/api/policies/export?format=" + format, TestGateway.ADMIN_KEY)) {
                assertThat(export.code()).isEqualTo(200);
                version = export.header("Toolgate-Policy-Version");
                manifest = export.body().string();
            }
            assertThat(manifest).contains("big-transfers", "No cloud deploys", "send_fax", "drop_database");

            JsonNode imported = importManifest(manifest, "");

            assertThat(imported.path("status").asText()).isEqualTo("applied");
            assertThat(imported.path("policy_version").asText()).isEqualTo(version);
            assertThat(imported.path("diff").path("added")).isEmpty();
            assertThat(imported.path("diff").path("removed")).isEmpty();
            assertThat(imported.path("diff").path("changed")).isEmpty();
            try (Response again = gateway.get("/api/policies/export?format=" + format, TestGateway.ADMIN_KEY)) {
                assertThat(again.header("Toolgate-Policy-Version")).isEqualTo(version);
                assertThat(again.body().string()).isEqualTo(manifest);
            }
        }
        assertThat(intercept("send_fax").path("status").asText()).isEqualTo("blocked");
        assertThat(intercept("deploy", "{\"env\":\"prod\"}").path("status").asText()).isEqualTo("blocked");
    }

    @Test
    void aBadManifestIsRefusedWithLineAndColumnAndTheRulesStayAsTheyWere() throws Exception {
        start(TestGateway.memoryStorage());
        importManifest(DEPLOYS_AND_REFUNDS, "");
        String before = exportYaml();

        try (Response refused = post("/api/policies/import", """
                rules:
                  - id: shell
                    tools: [run_shell]
                    action: explode
                  - id: transfers
                    tools: [wire_transfer]
                    when: "args.amount >"
                    action: approve
                """)) {
            assertThat(refused.code()).isEqualTo(422);
            JsonNode error = JSON.readTree(refused.body().string()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("INVALID_MANIFEST");
            assertThat(StreamSupport.stream(error.path("problems").spliterator(), false).map(p -> p.path("text").asText()))
                    .satisfiesExactly(
                            first -> assertThat(first).matches("manifest:4:13: rules\\[0\\]\\.action: .*explode.*"),
                            second -> assertThat(second).matches("manifest:7:11: rules\\[1\\]\\.when: CEL does not compile.*"));
            assertThat(error.path("message").asText()).contains("manifest:4:13", "manifest:7:11");
        }
        try (Response clash = post("/api/policies/import", """
                rules:
                  - id: no-deletes
                    tools: [delete_file]
                    action: warn
                """)) {
            assertThat(clash.code()).isEqualTo(422);
            assertThat(JSON.readTree(clash.body().string()).path("error").path("problems").get(0).path("text").asText())
                    .startsWith("manifest:2:5: rules[0]: rule 'no-deletes' is defined in toolgate.yaml").contains("differs in description, action");
        }

        assertThat(exportYaml()).isEqualTo(before);
        assertThat(intercept("deploy").path("status").asText()).isEqualTo("blocked");
        try (Response versions = gateway.get("/api/policies/versions", TestGateway.ADMIN_KEY)) {
            assertThat(JSON.readTree(versions.body().string()).path("versions")).hasSize(1);
        }
    }

    @Test
    void theDiffNamesRulesAddedRemovedAndTheFieldsOfThoseChanged() throws Exception {
        start(TestGateway.memoryStorage());
        importManifest(DEPLOYS_AND_REFUNDS, "");

        JsonNode second = importManifest("""
                rules:
                  - id: no-deploys
                    description: Deploys need approval now
                    tools: [deploy]
                    action: approve
                    approver_email: platform@example.com
                  - id: no-public-posts
                    tools: ["post_*"]
                    action: block
                """, "");

        JsonNode diff = second.path("diff");
        assertThat(diff.path("added")).extracting(JsonNode::asText).containsExactly("no-public-posts");
        assertThat(diff.path("removed")).extracting(JsonNode::asText).containsExactly("big-refunds");
        assertThat(diff.path("changed")).hasSize(1);
        assertThat(diff.path("changed").get(0).path("id").asText()).isEqualTo("no-deploys");
        assertThat(diff.path("changed").get(0).path("fields")).extracting(JsonNode::asText)
                .containsExactly("description", "action", "approver_email");
        assertThat(intercept("deploy").path("status").asText()).isEqualTo("pending_approval");
        assertThat(intercept("issue_refund", "{\"amount\":500}").path("allowed").asBoolean()).isTrue();
        // The manifest left the kill switch out: only the file's blocked tool is left.
        assertThat(intercept("send_fax").path("allowed").asBoolean()).isTrue();
        assertThat(intercept("drop_database").path("status").asText()).isEqualTo("blocked");
    }

    @Test
    void aDraftChangesNothingUntilApplied() throws Exception {
        start(TestGateway.memoryStorage());
        String activeBefore = exportYaml();

        JsonNode draft = importManifest(DEPLOYS_AND_REFUNDS, "?dry_run=true");

        assertThat(draft.path("status").asText()).isEqualTo("draft");
        assertThat(draft.path("diff").path("added")).extracting(JsonNode::asText).containsExactly("no-deploys", "big-refunds");
        assertThat(exportYaml()).isEqualTo(activeBefore);
        assertThat(intercept("deploy").path("allowed").asBoolean()).isTrue();

        try (Response applied = post("/api/policies/versions/" + draft.path("id").asText() + "/apply", "")) {
            assertThat(applied.code()).isEqualTo(200);
            JsonNode body = JSON.readTree(applied.body().string());
            assertThat(body.path("status").asText()).isEqualTo("applied");
            assertThat(body.path("applied_by").asText()).isEqualTo("ops");
        }
        assertThat(intercept("deploy").path("status").asText()).isEqualTo("blocked");
        assertThat(intercept("send_fax").path("status").asText()).isEqualTo("blocked");
        try (Response again = post("/api/policies/versions/" + draft.path("id").asText() + "/apply", "")) {
            assertThat(again.code()).isEqualTo(409);
        }

        JsonNode wrapped = importManifest(JSON.createObjectNode().put("manifest", "rules: []\n").put("draft", true).toString(), "");
        assertThat(wrapped.path("status").asText()).isEqualTo("draft");
        assertThat(intercept("deploy").path("status").asText()).isEqualTo("blocked");
    }

    @Test
    void anOlderVersionIsRestoredAsANewVersionAndEveryVersionSurvivesARestart() throws Exception {
        String storage = "jdbc:h2:file:" + dir.resolve("toolgate").toAbsolutePath();
        start(storage);
        JsonNode first = importManifest(DEPLOYS_AND_REFUNDS, "");
        JsonNode second = importManifest("rules: []\n", "");
        assertThat(second.path("policy_version").asText()).isNotEqualTo(first.path("policy_version").asText());
        assertThat(intercept("deploy").path("allowed").asBoolean()).isTrue();

        JsonNode restored;
        try (Response restore = post("/api/policies/versions/" + first.path("id").asText() + "/restore", "")) {
            assertThat(restore.code()).isEqualTo(201);
            restored = JSON.readTree(restore.body().string());
        }
        assertThat(restored.path("number").asInt()).isEqualTo(3);
        assertThat(restored.path("restored_from").asText()).isEqualTo(first.path("id").asText());
        assertThat(restored.path("policy_version").asText()).isEqualTo(first.path("policy_version").asText());
        assertThat(restored.path("diff").path("added")).extracting(JsonNode::asText).containsExactly("no-deploys", "big-refunds");
        assertThat(intercept("deploy").path("status").asText()).isEqualTo("blocked");

        gateway.close();
        start(storage);
        assertThat(intercept("deploy").path("status").asText()).isEqualTo("blocked");
        try (Response versions = gateway.get("/api/policies/versions", TestGateway.ADMIN_KEY)) {
            assertThat(JSON.readTree(versions.body().string()).path("versions")).extracting(v -> v.path("number").asInt())
                    .containsExactly(3, 2, 1);
        }
        try (Response one = gateway.get("/api/policies/versions/" + first.path("id").asText(), TestGateway.ADMIN_KEY)) {
            JsonNode body = JSON.readTree(one.body().string());
            assertThat(body.path("manifest").asText()).contains("id: no-deploys", "blocked_tools:");
        }
        try (Response otherWorkspace = gateway.get("/api/policies/versions/" + first.path("id").asText(),
                TestGateway.OTHER_WORKSPACE_ADMIN_KEY)) {
            assertThat(otherWorkspace.code()).isEqualTo(404);
        }
        try (Response missing = post("/api/policies/versions/pv-nope/restore", "")) {
            assertThat(missing.code()).isEqualTo(404);
        }
    }

    @Test
    void theTemplatesAreListedWithTheirContent() throws Exception {
        start(TestGateway.memoryStorage());
        try (Response templates = gateway.get("/api/policies/templates", TestGateway.ADMIN_KEY)) {
            JsonNode list = JSON.readTree(templates.body().string()).path("templates");
            assertThat(list).extracting(t -> t.path("name").asText())
                    .containsExactly("engineering", "support", "finance", "cloud", "external-messaging");
            assertThat(list.get(2).path("content").asText()).contains("large-wire-transfers", "rules:");
            assertThat(list.get(2).path("summary").asText()).startsWith("Finance");
        }
        try (Response agent = gateway.get("/api/policies/templates", TestGateway.AGENT_KEY)) {
            assertThat(agent.code()).isEqualTo(403);
        }
    }

    private JsonNode importManifest(String manifest, String query) throws IOException {
        try (Response response = post("/api/policies/import" + query, manifest)) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(201);
            return JSON.readTree(body);
        }
    }

    private Response post(String path, String body) throws IOException {
        return gateway.http().newCall(new Request.Builder().url(gateway.baseUrl() + path).header("x-api-key", TestGateway.ADMIN_KEY)
                .post(RequestBody.create(body, YAML)).build()).execute();
    }

    private String exportYaml() throws IOException {
        try (Response export = gateway.get("/api/policies/export", TestGateway.ADMIN_KEY)) {
            return export.header("Toolgate-Policy-Version") + "\n" + export.body().string();
        }
    }

    private JsonNode intercept(String tool) throws IOException {
        return intercept(tool, "{}");
    }

    private JsonNode intercept(String tool, String arguments) throws IOException {
        try (Response response = gateway.post("/api/intercept", TestGateway.AGENT_KEY,
                "{\"tool_name\":\"" + tool + "\",\"arguments\":" + arguments + "}")) {
            return JSON.readTree(response.body().string());
        }
    }
}
