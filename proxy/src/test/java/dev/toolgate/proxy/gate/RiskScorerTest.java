package dev.toolgate.proxy.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.RiskConfig;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.testing.MutableClock;
import dev.toolgate.storage.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The contextual risk score: each declared factor, what it adds, and that the score stays in [0, 1]. */
class RiskScorerTest {
    private static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt");
    private static final Decision DEFAULT_ALLOW = new Decision.Allowed(List.of(), List.of(new Finding(RuleSet.DEFAULT_RULE, "no rule")),
            0.0, "v1");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final RecentBlocks recentBlocks = new RecentBlocks(clock);
    private final RiskScorer scorer = new RiskScorer(RiskConfig.DEFAULTS, recentBlocks);

    private RiskAssessment assess(String tool, String arguments, Decision decision) {
        return scorer.assess(new ToolCall("c1", tool, arguments), CONTEXT, decision);
    }

    @Test
    void aHarmlessReadHasNoFactorAndNoRisk() {
        assertThat(assess("read_file", "{\"path\":\"/srv/notes.txt\"}", DEFAULT_ALLOW)).isEqualTo(RiskAssessment.NONE);
    }

    @Test
    void eachFactorIsNamedWithItsContribution() {
        Decision blocked = new Decision.Blocked(List.of("r"), List.of(new Finding("no-drops", "No drops")), 1.0, "v1");
        RiskAssessment risk = assess("db_query", "{\"sql\":\"DROP TABLE users\",\"target\":\"prod-eu\",\"file\":\"infra/main.tf\"}", blocked);

        assertThat(risk.factors()).extracting(RiskFactor::name, RiskFactor::contribution).containsExactly(
                org.assertj.core.groups.Tuple.tuple("production_environment", 0.2),
                org.assertj.core.groups.Tuple.tuple("protected_path", 0.2),
                org.assertj.core.groups.Tuple.tuple("destructive_pattern", 0.25),
                org.assertj.core.groups.Tuple.tuple("rule_matched", 0.3));
        assertThat(risk.score()).isEqualTo(0.95);
        assertThat(risk.evidence()).contains("Production environment (the arguments name 'prod')",
                "Protected path 'infra' in the arguments", "Rule no-drops decided block");
    }

    @Test
    void theTaxonomyGivesTheToolItsSensitivity() {
        assertThat(assess("refund_create", "{}", DEFAULT_ALLOW).factors()).singleElement()
                .satisfies(factor -> assertThat(factor.evidence()).isEqualTo("Tool category payments (critical sensitivity)"));
        assertThat(scorer.categoryOf("DeleteCustomer")).get().extracting(RiskConfig.ToolCategory::name).isEqualTo("data_deletion");
        assertThat(scorer.categoryOf("weather")).isEmpty();
    }

    @Test
    void wordsThatOnlyContainAMarkerOrAPathDoNotCount() {
        assertThat(assess("read_file", "{\"q\":\"products\",\"p\":\"/srv/.envrc\",\"i\":\"infrastructure\"}", DEFAULT_ALLOW))
                .isEqualTo(RiskAssessment.NONE);
    }

    @Test
    void anAgentsRecentBlocksAddUpToACapAndAgeOut() {
        for (int i = 0; i < 5; i++) {
            recentBlocks.decided(null, List.of(blockedEvent("support-bot")));
        }
        recentBlocks.decided(null, List.of(blockedEvent("other-bot")));
        assertThat(assess("weather", "{}", DEFAULT_ALLOW).factors()).singleElement().satisfies(factor -> {
            assertThat(factor.name()).isEqualTo("recent_blocks");
            assertThat(factor.contribution()).isEqualTo(RiskScorer.RECENT_BLOCKS_MAX);
        });
        clock.advance(RecentBlocks.WINDOW.plus(Duration.ofSeconds(1)));
        assertThat(assess("weather", "{}", DEFAULT_ALLOW)).isEqualTo(RiskAssessment.NONE);
    }

    @Test
    void aDestructivePatternIsSkippedOnlyWhenTextItRequiresIsAbsent() {
        assertThat(RiskScorer.requiredLiteral("\\bterraform\\s+(apply|destroy)\\b")).isEqualTo("terraform");
        assertThat(RiskScorer.requiredLiteral("\\brm\\s+-[a-z]*[rf]")).isEqualTo("rm");
        assertThat(RiskScorer.requiredLiteral("-auto-approve\\b")).isEqualTo("approve");
        assertThat(RiskScorer.requiredLiteral("DROPS?\\s")).isEqualTo("drop");
        assertThat(RiskScorer.requiredLiteral("rm|del")).isNull();
        assertThat(RiskScorer.requiredLiteral("(?-i)rm")).isNull();
        assertThat(RiskScorer.requiredLiteral("\\d+")).isNull();
        for (String pattern : RiskConfig.DEFAULT_DESTRUCTIVE_PATTERNS) {
            assertThat(RiskScorer.requiredLiteral(pattern)).as(pattern).isNotNull();
        }
        assertThat(assess("x", "{\"c\":\"TERRAFORM  Destroy -Auto-Approve\"}", DEFAULT_ALLOW).factors()).singleElement()
                .satisfies(factor -> assertThat(factor.name()).isEqualTo("destructive_pattern"));
    }

    @Test
    void theScoreIsTheCappedSumOfItsFactorsForAnyCall() {
        long seed = Long.getLong("toolgate.seed", 7L);
        Random random = new Random(seed);
        List<String> tools = List.of("run_shell", "wire_transfer", "read_file", "send_email", "deploy", "x", "delete_all");
        List<String> fragments = List.of("rm -rf /", "prod", "production", ".env", "hello", "DROP DATABASE x", "/etc/passwd",
                "terraform destroy", "products", "{", "\\\"", "git push --force");
        List<Decision> decisions = List.of(DEFAULT_ALLOW,
                new Decision.Warned(List.of("w"), List.of(new Finding("w", "w")), 0.4, "v1"),
                new Decision.NeedsApproval(List.of("a"), List.of(new Finding("a", "a")), 0.7, "v1", null),
                new Decision.Blocked(List.of(), List.of(new Finding(RuleSet.KILL_SWITCH_RULE, "k")), 1.0, "v1"));
        for (int i = 0; i < 2_000; i++) {
            StringBuilder arguments = new StringBuilder("{\"a\":\"");
            for (int n = random.nextInt(4); n > 0; n--) {
                arguments.append(fragments.get(random.nextInt(fragments.size()))).append(' ');
            }
            arguments.append("\"}");
            CallContext context = new CallContext(random.nextBoolean() ? "prod" : "default", "a", "m",
                    random.nextBoolean() ? Map.of("repo_context", Map.of("production_environment", true)) : Map.of());
            RiskAssessment risk = scorer.assess(new ToolCall("c", tools.get(random.nextInt(tools.size())), arguments.toString()),
                    context, decisions.get(random.nextInt(decisions.size())));
            double sum = risk.factors().stream().mapToDouble(RiskFactor::contribution).sum();
            assertThat(risk.score()).as("seed %d, call %d", seed, i).isBetween(0.0, 1.0)
                    .isCloseTo(Math.min(1.0, sum), org.assertj.core.data.Offset.offset(0.005));
            assertThat(risk.factors()).extracting(RiskFactor::name).doesNotHaveDuplicates();
        }
    }

    private AuditEvent blockedEvent(String agent) {
        return new AuditEvent(0, "e-" + System.nanoTime(), clock.instant(), "default", agent, "proxy", "t", null, "{}", "blocked",
                List.of(), List.of(), 1.0, null, "v1", "", null, 0, null);
    }
}
