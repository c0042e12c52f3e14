package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failover keys of {@code upstream} and {@code anthropic}: what they bind to, and each mistake with its place. */
class FailoverConfigTest {
    @TempDir
    Path dir;

    @Test
    void fallbacksConditionsAndHealthCheckBind() throws Exception {
        Path file = dir.resolve("toolgate.yaml");
        Files.writeString(file, ONE_KEY + """
                upstream:
                  base_url: https://primary.example.com/v1
                  api_key: sk-primary
                  fallbacks:
                    - { base_url: "https://backup.example.com/v1", api_key: sk-backup, model: backup-model }
                    - { base_url: "https://third.example.com/v1", api_key: sk-third }
                  conditions: { error_rate_threshold: 0.25, latency_threshold_ms: 1500, window: 2m, min_requests: 3 }
                  health_check: { interval: 10s, path: /health, timeout: 2s }
                anthropic:
                  base_url: https://api.anthropic.com
                  fallbacks:
                    - { base_url: "https://anthropic-backup.example.com" }
                """);
        Config config = ConfigLoader.load(file, Map.of());

        FailoverConfig openAi = config.upstream().failover();
        assertThat(openAi.fallbacks()).containsExactly(
                new FailoverConfig.Fallback(URI.create("https://backup.example.com/v1"), "sk-backup", "backup-model"),
                new FailoverConfig.Fallback(URI.create("https://third.example.com/v1"), "sk-third", ""));
        assertThat(openAi.conditions()).isEqualTo(new FailoverConfig.Conditions(0.25, Duration.ofMillis(1500), Duration.ofMinutes(2), 3));
        assertThat(openAi.healthCheck()).isEqualTo(new FailoverConfig.HealthCheck(true, Duration.ofSeconds(10), "/health",
                Duration.ofSeconds(2)));
        FailoverConfig anthropic = config.anthropic().failover();
        assertThat(anthropic.fallbacks()).extracting(FailoverConfig.Fallback::apiKey).containsExactly("");
        assertThat(anthropic.conditions()).isEqualTo(FailoverConfig.Conditions.DEFAULTS);
        assertThat(anthropic.healthCheck().path()).isEqualTo("/v1/models");
        assertThat(config.upstream().toString()).doesNotContain("sk-backup").doesNotContain("sk-third");
    }

    @Test
    void withoutFallbacksTheSectionIsAsBefore() {
        assertThat(UpstreamConfig.DEFAULTS.failover().fallbacks()).isEmpty();
        assertThat(new UpstreamConfig(URI.create("http://x/v1"), "", Duration.ofSeconds(1), Duration.ofSeconds(1)).failover())
                .isEqualTo(FailoverConfig.none(UpstreamConfig.HEALTH_PATH));
    }

    @Test
    void badFallbackUrlIsReportedWhereItIs() {
        assertThat(problems(dir, ONE_KEY + """
                upstream:
                  base_url: https://primary.example.com/v1
                  fallbacks:
                    - base_url: "ftp://backup.example.com"
                    - { api_key: sk-x }
                """)).containsExactly(
                "toolgate.yaml:6:17: upstream.fallbacks[0].base_url: ftp://backup.example.com "
                        + "(expected: an absolute http or https URL such as https://api.example.com/v1)",
                "toolgate.yaml:7:7: upstream.fallbacks[1].base_url: missing (expected: a URL)");
    }

    @Test
    void keylessFallbackBehindAKeyedPrimaryIsRefused() {
        List<String> problems = problems(dir, ONE_KEY + """
                anthropic:
                  api_key: sk-ant-primary
                  fallbacks: [{ base_url: "https://anthropic-backup.example.com" }]
                """);
        assertThat(problems).containsExactly("toolgate.yaml:5:15: anthropic.fallbacks[0].api_key: missing (expected: this endpoint's own"
                + " key, since the section's api_key is set (clients then send the gateway key, which must not reach a provider))");
    }

    @Test
    void badConditionsAndHealthCheck() {
        assertThat(problems(dir, ONE_KEY + """
                upstream:
                  fallbacks: [{ base_url: "https://backup.example.com/v1" }]
                  conditions: { error_rate_threshold: 1.5, latency_threshold_ms: fast, window: 0s }
                  health_check: { path: models, interval: soon }
                """)).containsExactly(
                "toolgate.yaml:5:39: upstream.conditions.error_rate_threshold: 1.5 (expected: a fraction of requests above 0 and up to 1,"
                        + " such as 0.5)",
                "toolgate.yaml:5:66: upstream.conditions.latency_threshold_ms: fast (expected: a number of milliseconds from 1 to 3600000)",
                "toolgate.yaml:5:80: upstream.conditions.window: 0s (expected: a positive duration such as 30s, 5m, 24h)",
                "toolgate.yaml:6:25: upstream.health_check.path: models (expected: a path under the base URL such as /models)",
                "toolgate.yaml:6:43: upstream.health_check.interval: soon (expected: a positive duration such as 30s, 5m, 24h)");
    }
}
