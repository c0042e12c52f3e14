package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.load;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code deliveries} section: webhook screening, evaluation interval, and delivery targets defined in the file. */
class DeliveriesConfigTest {
    @TempDir
    Path dir;

    @Test
    void absentMeansScreenedWebhooksAndNoFileTargets() throws ConfigException {
        assertThat(load(dir, ONE_KEY).deliveries()).isEqualTo(DeliveriesConfig.DEFAULTS);
        assertThat(DeliveriesConfig.DEFAULTS.targets()).isEmpty();
    }

    @Test
    void targetsTakeTheirDestinationByTypeAndTheSecretFromTheEnvironment() throws ConfigException {
        DeliveriesConfig deliveries = load(dir, ONE_KEY + """
                deliveries:
                  allow_hosts: [hooks.internal.example]
                  evaluate_every: 10s
                  targets:
                    - { name: ops-hook, type: webhook, url: "https://ops.example.com/toolgate", secret: "${HOOK_SECRET}" }
                    - { name: oncall, type: email, to: oncall@example.com, default_severity: critical }
                    - { name: devops, type: slack, webhook_url: "https://hooks.slack.com/services/T0/B0/x", workspace: payments }
                """, Map.of("HOOK_SECRET", "s3cret-from-env")).deliveries();
        assertThat(deliveries.allowHosts()).containsExactly("hooks.internal.example");
        assertThat(deliveries.evaluateEvery()).isEqualTo(Duration.ofSeconds(10));
        assertThat(deliveries.targets()).containsExactly(
                new DeliveriesConfig.Target("default", "ops-hook", "webhook", "https://ops.example.com/toolgate", "s3cret-from-env",
                        "medium"),
                new DeliveriesConfig.Target("default", "oncall", "email", "oncall@example.com", null, "critical"),
                new DeliveriesConfig.Target("payments", "devops", "slack", "https://hooks.slack.com/services/T0/B0/x", null,
                        "medium"));
        // Printed configs name a target, never its destination or secret.
        assertThat(deliveries.toString()).contains("ops-hook").doesNotContain("s3cret-from-env").doesNotContain("/services/");
    }

    @Test
    void mistakesAreReportedWhereTheyAre() {
        assertThat(problems(dir, ONE_KEY + """
                deliveries:
                  targets:
                    - { name: a, type: pager, url: "https://x.example.com" }
                    - { name: b, type: webhook, url: "https://x.example.com" }
                    - { name: c, type: email, to: nobody, default_severity: urgent }
                    - { name: d, type: slack, webhook_url: "https://hooks.slack.com/x" }
                    - { name: d, type: teams, webhook_url: "https://example.webhook.office.com/x" }
                """)).containsExactly(
                "toolgate.yaml:5:24: deliveries.targets[0].type: pager (expected: email, slack, teams or webhook)",
                "toolgate.yaml:6:7: deliveries.targets[1].secret: missing (expected: a string)",
                "toolgate.yaml:7:35: deliveries.targets[2].to: nobody (expected: an email address such as ops@example.com)",
                "toolgate.yaml:7:61: deliveries.targets[2].default_severity: urgent (expected: low, medium, high or critical)",
                "toolgate.yaml:9:15: deliveries.targets[4].name: duplicate delivery target name 'd'");
    }

    @Test
    void targetsAreAList() {
        assertThat(problems(dir, ONE_KEY + "deliveries: { targets: ops-hook }\n")).singleElement().asString()
                .contains("deliveries.targets").contains("a list of targets such as");
    }
}
