package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.load;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.RiskConfig.Sensitivity;
import dev.toolgate.config.RiskConfig.ToolCategory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code risk} section (tool taxonomy and context markers) and the {@code public_feed} section. */
class RiskAndPublicFeedConfigTest {
    @TempDir
    Path dir;

    @Test
    void absentMeansTheBuiltInTaxonomyAndNoPublicFeed() throws ConfigException {
        Config config = load(dir, ONE_KEY);
        assertThat(config.risk()).isEqualTo(RiskConfig.DEFAULTS);
        assertThat(config.risk().categories()).extracting(ToolCategory::name)
                .containsExactly("payments", "data_deletion", "deploy", "shell", "email", "write", "read_only");
        assertThat(config.publicFeed()).isEqualTo(PublicFeedConfig.DEFAULTS);
        assertThat(config.publicFeed().enabled()).isFalse();
    }

    @Test
    void ownCategoriesComeFirstAndReplaceABuiltInOfTheSameName() throws ConfigException {
        Config config = load(dir, ONE_KEY + """
                risk:
                  categories:
                    - { name: refunds, sensitivity: high, tools: ["refund_*"], control: escalate }
                    - { name: email, sensitivity: low, tools: [send_newsletter] }
                  production_markers: [live]
                  destructive_patterns: ["\\\\bnuke\\\\b"]
                """);
        RiskConfig risk = config.risk();
        assertThat(risk.categories()).extracting(ToolCategory::name)
                .containsExactly("refunds", "email", "payments", "data_deletion", "deploy", "shell", "write", "read_only");
        assertThat(risk.categories().get(1)).isEqualTo(new ToolCategory("email", Sensitivity.LOW, List.of("send_newsletter"), "warn"));
        assertThat(risk.productionMarkers()).containsExactly("live");
        assertThat(risk.protectedPaths()).isEqualTo(RiskConfig.DEFAULT_PROTECTED_PATHS);
        assertThat(risk.destructivePatterns()).containsExactly("\\bnuke\\b");
    }

    @Test
    void mistakesAreReportedWithWhatWasExpected() {
        assertThat(problems(dir, ONE_KEY + """
                risk:
                  categories:
                    - { name: Refunds, sensitivity: extreme, tools: [x], control: maybe }
                  destructive_patterns: ["rm (-rf"]
                public_feed:
                  enabled: true
                """)).containsExactly(
                "toolgate.yaml:5:15: risk.categories[0].name: Refunds (expected: lower-case letters, digits and _, such as data_deletion)",
                "toolgate.yaml:5:37: risk.categories[0].sensitivity: extreme (expected one of: low, medium, high, critical)",
                "toolgate.yaml:5:67: risk.categories[0].control: maybe (expected one of: allow, warn, escalate, block)",
                "toolgate.yaml:6:26: risk.destructive_patterns[0]: rm (-rf does not compile: Unclosed group"
                        + " (expected: a Java regular expression such as rm\\s+-rf)",
                "toolgate.yaml:8:3: public_feed.agents: missing (expected: the key names of the agents the public feed shows,"
                        + " such as [refund-bot])");
    }

    @Test
    void aPublicFeedNamesItsAgentsAndItsLimit() throws ConfigException {
        PublicFeedConfig feed = load(dir, ONE_KEY + """
                public_feed:
                  enabled: true
                  agents: [refund-bot, signal-bot]
                  rate_limit: { requests_per_minute: 30, burst: 5 }
                """).publicFeed();
        assertThat(feed).isEqualTo(new PublicFeedConfig(true, List.of("refund-bot", "signal-bot"), new RateLimitConfig(30, 5)));
    }
}
