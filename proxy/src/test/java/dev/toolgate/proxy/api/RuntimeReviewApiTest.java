package dev.toolgate.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import java.io.IOException;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/runtime/review} and {@code GET /v1/runtime/tool-taxonomy} as a LatentOps client sees them. */
class RuntimeReviewApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing here goes upstream: the review routes come before the /v1 pass-through. */
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String RULES = """
            policy:
              default: allow
              on_error: block
            rules:
              - id: no-unattended-infra
                description: Destructive shell command
                tools: [run_shell]
                when: "args.command.contains('terraform apply')"
                action: block
              - id: deploys-need-a-person
                description: Deploys need a person
                tools: [deploy_service]
                action: approve
              - id: watched-emails
                description: Outgoing email is watched
                tools: [send_email]
                action: warn
            """;
    /** The request of LatentOps' "Runtime checks" example, as its documentation gives it. */
    private static final String SEED_EXAMPLE = """
            {
                "prompt": "Apply infrastructure changes",
                "tool_name": "run_shell",
                "tool_args": {
                  "command": "terraform apply -auto-approve"
                },
                "repo_context": {
                  "branch": "main",
                  "production_environment": true,
                  "protected_paths": ["infra", ".github", ".env"]
                },
                "policy": "balanced",
                "log_event": true,
                "model_provider": "openai",
                "model_name": "gpt-5-mini",
                "agent_framework": "github-actions",
                "environment": "production"
            }""";

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.start(NO_UPSTREAM, RULES, TestGateway.memoryStorage(), "");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private JsonNode review(String body) throws IOException {
        try (Response response = gateway.post("/v1/runtime/review", TestGateway.AGENT_KEY, body)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    private List<AuditEvent> audited() {
        return gateway.gateway().storage().auditLog().query(AuditQuery.of("default")).events();
    }

    @Test
    void theSeedsExampleRequestGetsTheSeedsResponseShape() throws IOException {
        JsonNode answer = review(SEED_EXAMPLE);

        JsonNode event = answer.path("event");
        assertThat(event.path("decision").asText()).isEqualTo("block");
        assertThat(event.path("risk_score").isNumber()).isTrue();
        assertThat(event.path("tool_name").asText()).isEqualTo("run_shell");
        assertThat(event.path("policy").asText()).isEqualTo("balanced");
        JsonNode model = event.at("/metadata/model_metadata");
        assertThat(model.path("model_provider").asText()).isEqualTo("openai");
        assertThat(model.path("model_name").asText()).isEqualTo("gpt-5-mini");
        assertThat(model.path("agent_framework").asText()).isEqualTo("github-actions");
        assertThat(model.path("environment").asText()).isEqualTo("production");

        JsonNode intervention = answer.path("intervention");
        assertThat(intervention.path("decision").asText()).isEqualTo("block");
        // shell tool (high) 0.2 + production 0.2 + destructive command 0.25 + a block rule 0.3
        assertThat(intervention.path("risk_score").asDouble()).isEqualTo(0.95).isEqualTo(event.path("risk_score").asDouble());
        assertThat(intervention.path("recommended_control").asText()).startsWith("Do not execute");
        assertThat(intervention.path("evidence")).extracting(JsonNode::asText)
                .contains("no-unattended-infra: Destructive shell command", "Production environment (declared by the request)")
                .anySatisfy(line -> assertThat(line).startsWith("Destructive command in the arguments"))
                .anySatisfy(line -> assertThat(line).startsWith("Tool category shell"));
        assertThat(intervention.at("/risk/factors")).extracting(factor -> factor.path("factor").asText())
                .containsExactly("tool_sensitivity", "production_environment", "destructive_pattern", "rule_matched");

        assertThat(answer.path("incident").isObject()).isTrue();
        assertThat(answer.at("/incident/type").asText()).isEqualTo("blocked");

        AuditEvent stored = gateway.gateway().storage().auditLog().findByEventId(event.path("id").asText()).orElseThrow();
        assertThat(stored.source()).isEqualTo("review");
        assertThat(stored.decision()).isEqualTo("blocked");
        assertThat(stored.riskScore()).isEqualTo(0.95);
        assertThat(stored.reasons()).containsExactly("no-unattended-infra: Destructive shell command");
    }

    @Test
    void anApproveRuleEscalatesAndHoldsTheCallForAPerson() throws IOException {
        JsonNode answer = review("""
                {"tool_name":"deploy_service","tool_args":{"service":"billing"},"metadata":{"environment":"staging"}}""");

        assertThat(answer.at("/intervention/decision").asText()).isEqualTo("escalate");
        JsonNode incident = answer.path("incident");
        assertThat(incident.path("type").asText()).isEqualTo("approval_required");
        assertThat(incident.path("status").asText()).isEqualTo("pending_approval");
        String approvalId = incident.path("approval_id").asText();
        assertThat(incident.path("approval_url").asText()).isEqualTo(TestGateway.PUBLIC_URL + "/api/pending-approvals/" + approvalId);
        assertThat(gateway.gateway().storage().approvals().find("default", approvalId)).isPresent();
        assertThat(answer.at("/intervention/recommended_control").asText()).contains(approvalId);
    }

    @Test
    void warnAndAllowHaveNoIncident() throws IOException {
        JsonNode warned = review("{\"tool_name\":\"send_email\",\"tool_args\":\"{\\\"to\\\":\\\"a@example.com\\\"}\"}");
        assertThat(warned.at("/intervention/decision").asText()).isEqualTo("warn");
        assertThat(warned.path("incident").isNull()).isTrue();

        JsonNode allowed = review("{\"tool_name\":\"read_file\",\"tool_args\":{\"path\":\"/srv/notes.txt\"}}");
        assertThat(allowed.at("/intervention/decision").asText()).isEqualTo("allow");
        assertThat(allowed.at("/intervention/risk_score").asDouble()).isEqualTo(0.0);
        assertThat(allowed.at("/intervention/recommended_control").asText()).isEqualTo("Execute.");
        assertThat(allowed.path("incident").isNull()).isTrue();
    }

    @Test
    void withoutLogEventItIsADryRunThatStoresAndHoldsNothing() throws IOException {
        JsonNode answer = review("{\"tool_name\":\"deploy_service\",\"tool_args\":{},\"log_event\":false}");

        assertThat(answer.at("/intervention/decision").asText()).isEqualTo("escalate");
        assertThat(answer.at("/event/logged").asBoolean()).isFalse();
        assertThat(answer.at("/event/id").isNull()).isTrue();
        assertThat(answer.at("/incident/status").asText()).isEqualTo("not_held");
        assertThat(audited()).isEmpty();
    }

    @Test
    void aReviewWithoutAToolIsRefusedAndWithoutAKeyUnauthorized() throws IOException {
        try (Response response = gateway.post("/v1/runtime/review", TestGateway.AGENT_KEY, "{\"prompt\":\"x\"}")) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(JSON.readTree(response.body().string()).at("/error/code").asText()).isEqualTo("MISSING_FIELD");
        }
        try (Response response = gateway.post("/v1/runtime/review", null, SEED_EXAMPLE)) {
            assertThat(response.code()).isEqualTo(401);
        }
        assertThat(audited()).isEmpty();
    }

    @Test
    void theTaxonomyListsCategoriesSensitivitiesAndDefaultControls() throws IOException {
        try (Response response = gateway.get("/v1/runtime/tool-taxonomy", TestGateway.AGENT_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            JsonNode taxonomy = JSON.readTree(response.body().string());
            assertThat(taxonomy.path("categories")).extracting(category -> category.path("name").asText())
                    .contains("payments", "data_deletion", "deploy", "shell", "email", "read_only");
            assertThat(taxonomy.path("categories")).filteredOn(category -> category.path("name").asText().equals("payments"))
                    .singleElement().satisfies(payments -> {
                        assertThat(payments.path("sensitivity").asText()).isEqualTo("critical");
                        assertThat(payments.path("default_control").asText()).isEqualTo("escalate");
                        assertThat(payments.path("risk_weight").asDouble()).isEqualTo(0.3);
                    });
            assertThat(taxonomy.path("factors")).extracting(factor -> factor.path("factor").asText()).containsExactly(
                    "tool_sensitivity", "production_environment", "protected_path", "destructive_pattern", "rule_matched",
                    "recent_blocks");
        }
    }

    @Test
    void theDryRunCheckAnswersInTheShapeOfADecisionWithItsRiskEvidence() throws IOException {
        try (Response response = gateway.get("/api/policies/check?tool=run_shell&args="
                + "%7B%22command%22%3A%22terraform%20apply%20infra%2Fprod%22%7D", TestGateway.ADMIN_KEY)) {
            assertThat(response.code()).isEqualTo(200);
            JsonNode check = JSON.readTree(response.body().string());
            assertThat(check.path("allowed").asBoolean()).isFalse();
            assertThat(check.path("decision").asText()).isEqualTo("block");
            assertThat(check.path("rule").asText()).isEqualTo("no-unattended-infra");
            assertThat(check.at("/reasons/0/reason").asText()).isEqualTo("Destructive shell command");
            assertThat(check.at("/risk/factors")).extracting(factor -> factor.path("factor").asText()).containsExactly(
                    "tool_sensitivity", "production_environment", "protected_path", "destructive_pattern", "rule_matched");
            assertThat(check.path("risk_score").asDouble()).isEqualTo(1.0);
            assertThat(check.path("evidence")).extracting(JsonNode::asText).contains("Protected path 'infra' in the arguments");
        }
        assertThat(audited()).isEmpty();
    }
}
