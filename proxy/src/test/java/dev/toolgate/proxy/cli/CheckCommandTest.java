package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.testing.TestGateway;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code toolgate check}: one call decided from the file alone, with the rule that decided it and why. */
class CheckCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path config;

    @BeforeEach
    void writeConfig() throws Exception {
        config = ConfigFiles.write(dir, "toolgate.yaml", "jdbc:h2:mem:unused", TestGateway.STANDARD_RULES + """
                  - id: other-workspace-shell
                    tools: [run_shell]
                    when: workspace == 'other'
                    action: block
                  - id: exports
                    text: Exporting customer data outside the company needs approval
                    tools: [export_*]
                    action: approve
                """);
    }

    @Test
    void aBlockedCallShowsItsRuleAndReason() {
        CommandRun run = CommandRun.toolgate("check", "--config", config.toString(), "--tool", "delete_file",
                "--args", "{\"path\":\"/srv/a.txt\"}");

        assertThat(run.exitCode()).as(run.printed()).isZero();
        assertThat(run.out()).contains("decision:       blocked")
                .contains("tool:           delete_file")
                .contains("agent:          support-bot (workspace default)")
                .contains("deciding rule:  no-deletes")
                .contains("matched rules:  no-deletes")
                .contains("reasons:        no-deletes: Block all file deletions");
    }

    @Test
    void aHeldCallNamesItsApprover() {
        CommandRun run = CommandRun.toolgate("check", "--config", config.toString(), "--tool", "wire_transfer",
                "--args", "{\"amount\":5000}");

        assertThat(run.out()).contains("decision:       pending").contains("deciding rule:  big-transfers")
                .contains("approver:       finance@example.com");
    }

    @Test
    void jsonGivesTheSameDecision() throws Exception {
        CommandRun run = CommandRun.toolgate("check", "--config", config.toString(), "--tool", "read_file",
                "--args", "{\"path\":\"/app/.env\"}", "--json");

        assertThat(run.exitCode()).as(run.printed()).isZero();
        JsonNode answer = JSON.readTree(run.out());
        assertThat(answer.path("decision").asText()).isEqualTo("warned");
        assertThat(answer.path("action").asText()).isEqualTo("warn");
        assertThat(answer.path("deciding_rule").asText()).isEqualTo("env-files");
        assertThat(answer.path("matched_rules").toString()).isEqualTo("[\"env-files\"]");
        assertThat(answer.path("reasons").get(0).path("message").asText()).isEqualTo("Reading .env files is watched");
        assertThat(answer.path("needs_judge").isEmpty()).isTrue();
    }

    @Test
    void theRiskScoreIsTheGatewaysWithItsFactors() throws Exception {
        JsonNode answer = JSON.readTree(CommandRun.toolgate("check", "--config", config.toString(), "--tool", "delete_file",
                "--args", "{\"path\":\"/srv/a.txt\"}", "--json").out());

        JsonNode factors = answer.path("risk_factors");
        assertThat(factors.findValuesAsText("factor")).contains("rule_matched");
        assertThat(factors.findValuesAsText("evidence")).contains("Rule no-deletes decided block");
        double sum = 0;
        for (JsonNode factor : factors) {
            sum += factor.path("contribution").asDouble();
        }
        assertThat(answer.path("risk_score").asDouble()).isEqualTo(Math.min(1.0, Math.round(sum * 100) / 100.0));
        assertThat(CommandRun.toolgate("check", "--config", config.toString(), "--tool", "delete_file",
                "--args", "{\"path\":\"/srv/a.txt\"}").out()).contains("risk factors:   ").contains("Rule no-deletes decided block");
    }

    @Test
    void aCallNoRuleMatchesFallsToThePolicyDefault() throws Exception {
        JsonNode answer = JSON.readTree(CommandRun.toolgate("check", "--config", config.toString(), "--tool", "read_file",
                "--args", "{\"path\":\"/srv/report.txt\"}", "--json").out());

        assertThat(answer.path("decision").asText()).isEqualTo("allowed");
        assertThat(answer.path("deciding_rule").asText()).isEqualTo("policy.default");
    }

    @Test
    void theAgentsWorkspaceComesFromItsKey() throws Exception {
        JsonNode asSupportBot = JSON.readTree(CommandRun.toolgate("check", "--config", config.toString(), "--tool", "run_shell",
                "--json").out());
        JsonNode asOtherOps = JSON.readTree(CommandRun.toolgate("check", "--config", config.toString(), "--tool", "run_shell",
                "--agent", "other-ops", "--json").out());

        assertThat(asSupportBot.path("agent").asText()).isEqualTo("support-bot");
        assertThat(asSupportBot.path("decision").asText()).isEqualTo("allowed");
        assertThat(asOtherOps.path("workspace").asText()).isEqualTo("other");
        assertThat(asOtherOps.path("decision").asText()).isEqualTo("blocked");
    }

    @Test
    void killSwitchedAndMalformedCallsAreBlockedAsTheGatewayWould() throws Exception {
        JsonNode killSwitched = JSON.readTree(CommandRun.toolgate("check", "--config", config.toString(), "--tool", "drop_database",
                "--json").out());
        JsonNode malformed = JSON.readTree(CommandRun.toolgate("check", "--config", config.toString(), "--tool", "read_file",
                "--args", "{\"path\":", "--json").out());

        assertThat(killSwitched.path("deciding_rule").asText()).isEqualTo("kill-switch");
        assertThat(malformed.path("decision").asText()).isEqualTo("blocked");
        assertThat(malformed.path("deciding_rule").asText()).isEqualTo("invalid-arguments");
    }

    @Test
    void aJudgedRuleThatCouldChangeTheDecisionIsNamedNotAsked() {
        CommandRun run = CommandRun.toolgate("check", "--config", config.toString(), "--tool", "export_customers");

        assertThat(run.exitCode()).as(run.printed()).isZero();
        assertThat(run.out()).contains("decision:       allowed")
                .contains("judge:          exports (approve) would be put to the judge model gpt-4o-mini and could change this decision;"
                        + " check asks no model");
    }

    @Test
    void aBrokenConfigExitsTwoWithItsProblems() throws Exception {
        Path broken = ConfigFiles.write(dir, "broken.yaml", "jdbc:h2:mem:unused", """
                rules:
                  - id: shell
                    tools: [run_shell]
                    when: "args.command.startsWith("
                    action: block
                """);

        CommandRun run = CommandRun.toolgate("check", "--config", broken.toString(), "--tool", "run_shell");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith(broken + " cannot be used:\n").contains("broken.yaml:12:").contains("rules[0].when:");
    }

    @Test
    void theToolIsRequired() {
        CommandRun run = CommandRun.toolgate("check", "--config", config.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--tool=NAME'");
    }
}
