package dev.toolgate.proxy.judge;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.toolgate.proxy.judge.JudgedRulesTest.JUDGE_PATH;
import static dev.toolgate.proxy.judge.JudgedRulesTest.completion;
import static dev.toolgate.proxy.judge.JudgedRulesTest.judgeSection;
import static dev.toolgate.proxy.judge.JudgedRulesTest.verdicts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /api/approval-rules/compile} and the rules it leads to: a judged rule created with the
 * seed's body is decided by the judge; compiling it proposes an exact rule, refuses one that does not
 * compile, and dry-runs it against the judge over a seeded audit with the right counts; adopting
 * the exact rule replaces the judged one and needs no model.
 */
class RuleCompileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";
    private static final String RULE_TEXT = "Any wire transfer over £1,000 needs approval";
    private static final String POLICY = """
            policy:
              default: allow
              on_error: block
            rules: []
            """;

    @RegisterExtension
    static WireMockExtension judge = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.builder(NO_UPSTREAM).policy(POLICY).extra(judgeSection(judge.baseUrl(), "2s", 4)).start();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private JsonNode send(String path, String body, int expectedStatus) throws IOException {
        try (Response response = gateway.post(path, TestGateway.ADMIN_KEY, body)) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(expectedStatus);
            return JSON.readTree(text);
        }
    }

    private JsonNode intercept(String tool, String arguments) throws IOException {
        return JudgedRulesTest.intercept(gateway, tool, arguments);
    }

    private static void proposalIs(String tools, String when) {
        judge.stubFor(post(urlEqualTo(JUDGE_PATH)).withRequestBody(containing("toolgate_exact_rule"))
                .willReturn(okJson(completion("{\"tools\":" + tools + ",\"when\":" + JSON.valueToTree(when)
                        + ",\"explanation\":\"wires above 1000\"}"))));
    }

    /** The judge's verdict on the rule {@code ruleId} for calls whose request body contains {@code marker}. */
    private static void verdictFor(String marker, String ruleId, boolean applies, String reason, int priority) {
        judge.stubFor(post(urlEqualTo(JUDGE_PATH)).atPriority(priority)
                .withRequestBody(containing("toolgate_verdicts")).withRequestBody(containing(marker))
                .willReturn(okJson(verdicts(ruleId, applies, reason))));
    }

    @Test
    void aJudgedRuleCreatedWithTheSeedsBodyIsDecidedByTheJudge() throws IOException {
        String id = send("/api/approval-rules", "{\"rule_text\":\"" + RULE_TEXT + "\",\"action\":\"approve\"}", 201).path("id").asText();
        verdictFor("7000", id, true, "7,000 is over 1,000", 1);

        JsonNode held = intercept("wire_transfer", "{\"amount\":7000}");

        assertThat(held.path("status").asText()).isEqualTo("pending_approval");
        assertThat(held.path("rule").asText()).isEqualTo(id);
        assertThat(judge.getAllServeEvents().get(0).getRequest().getBodyAsString()).contains(RULE_TEXT);
    }

    @Test
    void theDryRunCountsAgreementWithTheJudgeOverTheRecentAudit() throws IOException {
        intercept("wire_transfer", "{\"amount\":300}");
        intercept("wire_transfer", "{\"amount\":2000}");
        intercept("wire_transfer", "{\"amount\":7000}");
        intercept("read_file", "{\"path\":\"/srv/report.txt\"}");
        proposalIs("[\"wire_transfer\"]", "has(args.amount) && args.amount > 1000");
        verdictFor("2000", "judged", false, "2,000 of an unknown currency may be under £1,000", 1);
        verdictFor("7000", "judged", true, "7,000 is over 1,000", 1);
        verdictFor("\\\"", "judged", false, "not a large wire", 5);

        JsonNode answer = send("/api/approval-rules/compile", "{\"rule_text\":\"" + RULE_TEXT + "\",\"action\":\"approve\"}", 200);

        assertThat(answer.path("proposed").path("tools")).extracting(JsonNode::asText).containsExactly("wire_transfer");
        assertThat(answer.path("proposed").path("when").asText()).isEqualTo("has(args.amount) && args.amount > 1000");
        JsonNode dryRun = answer.path("dry_run");
        assertThat(dryRun.path("examined").asInt()).isEqualTo(4);
        assertThat(dryRun.path("exact_matches").asInt()).isEqualTo(2);
        assertThat(dryRun.path("judge_matches").asInt()).isEqualTo(1);
        assertThat(dryRun.path("agree").asInt()).isEqualTo(3);
        assertThat(dryRun.path("differ").asInt()).isEqualTo(1);
        assertThat(dryRun.path("judge_errors").asInt()).isZero();
        JsonNode difference = dryRun.path("differences").get(0);
        assertThat(difference.path("tool").asText()).isEqualTo("wire_transfer");
        assertThat(difference.path("arguments").asText()).contains("2000");
        assertThat(difference.path("exact_matches").asBoolean()).isTrue();
        assertThat(difference.path("judge_applies").asBoolean()).isFalse();
        assertThat(answer.path("summary").asText())
                .isEqualTo("would have matched 2 of 4 past calls; agrees with the judge on 3; differs on 1 (shown)");
        JsonNode adopt = answer.path("adopt");
        assertThat(adopt.path("path").asText()).isEqualTo("/api/approval-rules");
        assertThat(adopt.path("body").path("judged").asBoolean()).isFalse();
    }

    @Test
    void adoptingTheProposalReplacesTheJudgedRuleAndNeedsNoModel() throws IOException {
        String judgedId = send("/api/approval-rules", "{\"rule_text\":\"" + RULE_TEXT + "\",\"action\":\"approve\"}", 201).path("id").asText();
        proposalIs("[\"wire_transfer\"]", "has(args.amount) && args.amount > 1000");
        JsonNode answer = send("/api/approval-rules/compile",
                "{\"rule_text\":\"" + RULE_TEXT + "\",\"action\":\"approve\",\"replaces\":\"" + judgedId + "\"}", 200);

        JsonNode adopted = send("/api/approval-rules", answer.path("adopt").path("body").toString(), 201);

        assertThat(adopted.path("judged").asBoolean()).isFalse();
        try (Response response = gateway.get("/api/approval-rules", TestGateway.ADMIN_KEY)) {
            JsonNode rules = JSON.readTree(response.body().string()).path("rules");
            assertThat(rules).extracting(rule -> rule.path("id").asText()).containsExactly(adopted.path("id").asText());
        }
        judge.resetAll();
        assertThat(intercept("wire_transfer", "{\"amount\":7000}").path("status").asText()).isEqualTo("pending_approval");
        assertThat(intercept("wire_transfer", "{\"amount\":70}").path("status").asText()).isEqualTo("allowed");
        assertThat(judge.getAllServeEvents()).isEmpty();
    }

    @Test
    void aProposalThatDoesNotCompileIsRefusedWithTheCompilersMessage() throws IOException {
        proposalIs("[\"wire_transfer\"]", "args.amount >");

        JsonNode error = send("/api/approval-rules/compile", "{\"rule_text\":\"" + RULE_TEXT + "\"}", 422).path("error");

        assertThat(error.path("code").asText()).isEqualTo("VALIDATION_FAILED");
        assertThat(error.path("message").asText()).contains("does not compile").contains("CEL does not compile")
                .contains("args.amount >");
    }

    @Test
    void aJudgeThatCannotProposeIs502() throws IOException {
        judge.stubFor(post(urlEqualTo(JUDGE_PATH)).willReturn(okJson(completion("not json"))));

        JsonNode error = send("/api/approval-rules/compile", "{\"rule_text\":\"" + RULE_TEXT + "\"}", 502).path("error");

        assertThat(error.path("code").asText()).isEqualTo("JUDGE_UNAVAILABLE");
        assertThat(error.path("message").asText()).contains("content is not JSON");
    }
}
