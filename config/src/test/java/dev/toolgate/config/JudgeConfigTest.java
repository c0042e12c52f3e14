package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.policy.Rule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code judge} section and rules with a {@code text} for it. */
class JudgeConfigTest {
    @TempDir
    Path dir;

    @Test
    void theJudgeDefaultsToTheUpstreamsEndpointAndKey() throws ConfigException {
        Config config = ConfigFiles.load(dir, ONE_KEY + "upstream: { base_url: \"http://models.internal/v1\", api_key: sk-up-0123456789 }\n");

        assertThat(config.judge()).isEqualTo(new JudgeConfig(URI.create("http://models.internal/v1"), "sk-up-0123456789",
                JudgeConfig.DEFAULT_MODEL, Duration.ofSeconds(10), 16, Duration.ofMinutes(10)));
        assertThat(config.judge().toString()).doesNotContain("sk-up-0123456789");
    }

    @Test
    void everyJudgeSettingIsRead() throws ConfigException {
        Config config = ConfigFiles.load(dir, ONE_KEY + """
                judge:
                  base_url: "http://judge.internal/v1"
                  api_key: judge-secret
                  model: small-judge
                  timeout: 3s
                  max_concurrency: 4
                  cache_ttl: 1h
                """);

        assertThat(config.judge()).isEqualTo(new JudgeConfig(URI.create("http://judge.internal/v1"), "judge-secret", "small-judge",
                Duration.ofSeconds(3), 4, Duration.ofHours(1)));
    }

    @Test
    void aRuleWithTextIsJudgedAndNeedsNoTools() throws ConfigException {
        Config config = ConfigFiles.load(dir, ONE_KEY + """
                rules:
                  - id: big-wires
                    text: Any wire transfer over £1,000 needs approval
                    action: approve
                  - id: narrowed
                    text: Deletes of customer data need approval
                    tools: [delete_*]
                    when: "args.table == 'customers'"
                    action: approve
                """);

        Rule wires = config.rules().get(0);
        assertThat(wires.judged()).isTrue();
        assertThat(wires.tools()).containsExactly("*");
        assertThat(wires.text()).isEqualTo("Any wire transfer over £1,000 needs approval");
        Rule narrowed = config.rules().get(1);
        assertThat(narrowed.tools()).containsExactly("delete_*");
        assertThat(narrowed.when()).isEqualTo("args.table == 'customers'");
        assertThat(config.ruleSet().rules()).hasSize(2);
    }

    @Test
    void aRuleWithNeitherToolsNorTextSaysWhatIsMissing() {
        assertThat(problems(dir, ONE_KEY + "rules:\n  - { id: r, action: block }\n"))
                .singleElement().asString().contains("rules[0]").contains("tools").contains("or a text for the judge model");
    }

    @Test
    void judgeSettingsAreChecked() {
        assertThat(problems(dir, ONE_KEY + "judge: { max_concurrency: 0, timeout: soon }\n")).hasSize(2)
                .anySatisfy(problem -> assertThat(problem).contains("judge.max_concurrency"))
                .anySatisfy(problem -> assertThat(problem).contains("judge.timeout"));
    }
}
