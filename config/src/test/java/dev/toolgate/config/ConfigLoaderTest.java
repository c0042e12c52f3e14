package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.Rule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String FULL = """
            server:
              host: 127.0.0.1
              port: 9090
              public_url: https://gate.example.com
              idle_timeout: 90s
              request_timeout: 20s
              shutdown_grace: 45s
              instances: 3
            upstream:
              base_url: http://localhost:4010/v1
              api_key: sk-upstream-secret
              timeout: 2m
              connect_timeout: 500ms
            anthropic:
              base_url: http://localhost:4011
              api_key: sk-ant-secret
            storage:
              url: jdbc:postgresql://db:5432/toolgate
              user: toolgate
              password: db-secret
              timeout: 3s
              durability: os
            keys:
              - name: support-bot
                key: agent-key-0123456789
                role: agent
                workspace: support
              - name: ops
                key: admin-key-0123456789
                role: admin
            policy:
              default: warn
              on_error: approve
              blocked_tools: [delete_file, drop_database]
            rules:
              - id: big-transfers
                description: Any wire transfer over 1,000 needs approval
                tools: [wire_transfer, "payments_*"]
                when: "has(args.amount) && args.amount > 1000"
                action: approve
                approver_email: finance@example.com
              - id: no-deletes
                tools: delete_file
                action: block
            approvals:
              expire_after: 7d
              link_mode: direct
            notifications:
              email:
                smtp_host: smtp.example.com
                smtp_port: 2525
                from: toolgate@example.com
                to: ops@example.com
                username: mailer
                password: mail-secret
                starttls: false
              slack_webhook_url: https://hooks.slack.com/services/T000/B000/slack-secret
              teams_webhook_url: https://example.webhook.office.com/webhookb2/teams-secret
            response:
              metadata_field: _trustloop
            limits:
              max_request_size: 512KiB
              max_response_size: 5MB
              max_tool_argument_size: 65536
            """;

    @Test
    void bindsEverySectionOfAFullFile() throws ConfigException {
        Config config = ConfigFiles.load(dir, FULL);

        assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 9090, URI.create("https://gate.example.com"), Duration.ofSeconds(90),
                Duration.ofSeconds(20), Duration.ofSeconds(45), 3));
        assertThat(config.upstream()).isEqualTo(new UpstreamConfig(URI.create("http://localhost:4010/v1"), "sk-upstream-secret",
                Duration.ofMinutes(2), Duration.ofMillis(500)));
        assertThat(config.anthropic()).isEqualTo(new AnthropicConfig(URI.create("http://localhost:4011"), "sk-ant-secret"));
        assertThat(config.storage()).isEqualTo(new StorageConfig("jdbc:postgresql://db:5432/toolgate", "toolgate", "db-secret",
                Duration.ofSeconds(3), Durability.OS));
        assertThat(config.keys()).containsExactly(
                new KeyConfig("support-bot", KeyConfig.sha256Of("agent-key-0123456789"), Role.AGENT, "support", false),
                new KeyConfig("ops", KeyConfig.sha256Of("admin-key-0123456789"), Role.ADMIN, "default", false));
        assertThat(config.policy()).isEqualTo(new PolicyConfig(Action.WARN, Action.APPROVE, List.of("delete_file", "drop_database")));
        assertThat(config.rules()).containsExactly(
                new Rule("big-transfers", "Any wire transfer over 1,000 needs approval", List.of("wire_transfer", "payments_*"),
                        "has(args.amount) && args.amount > 1000", Action.APPROVE, "finance@example.com", null, "toolgate.yaml:36"),
                new Rule("no-deletes", "", List.of("delete_file"), null, Action.BLOCK, null, null, "toolgate.yaml:42"));
        assertThat(config.approvals()).isEqualTo(new ApprovalsConfig(Duration.ofDays(7), LinkMode.DIRECT));
        assertThat(config.notifications()).isEqualTo(new NotificationsConfig(
                new EmailConfig("smtp.example.com", 2525, "toolgate@example.com", "ops@example.com", "mailer", "mail-secret", false),
                "https://hooks.slack.com/services/T000/B000/slack-secret",
                "https://example.webhook.office.com/webhookb2/teams-secret"));
        assertThat(config.response()).isEqualTo(new ResponseConfig("_trustloop"));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(512 * 1024, 5_000_000, 65_536));
    }

    @Test
    void compilesTheRulesWithThePolicyDefaults() throws ConfigException {
        Config config = ConfigFiles.load(dir, FULL);

        assertThat(config.ruleSet().rules()).isEqualTo(config.rules());
        assertThat(config.ruleSet().defaults()).isEqualTo(config.policy().defaults());
        assertThat(config.policy().defaults().onError()).isEqualTo(Action.APPROVE);
    }

    @Test
    void printsNoSecrets() throws ConfigException {
        String printed = ConfigFiles.load(dir, FULL).toString();

        assertThat(printed).contains("support-bot", "smtp.example.com")
                .doesNotContain("sk-upstream-secret", "sk-ant-secret", "db-secret", "agent-key-0123456789", "admin-key-0123456789",
                        "mail-secret", "slack-secret", "teams-secret");
    }

    @Test
    void fillsInDefaultsForAFileWithOnlyKeys() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY);

        assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 8080, URI.create("http://localhost:8080"), Duration.ofSeconds(60),
                Duration.ofSeconds(30)));
        assertThat(config.upstream()).isEqualTo(new UpstreamConfig(URI.create("https://api.openai.com/v1"), "",
                Duration.ofSeconds(120), Duration.ofSeconds(10)));
        assertThat(config.anthropic()).isEqualTo(new AnthropicConfig(URI.create("https://api.anthropic.com"), ""));
        assertThat(config.storage()).isEqualTo(new StorageConfig("jdbc:h2:file:./data/toolgate", "sa", "", Duration.ofSeconds(10),
                Durability.SYNC));
        assertThat(config.keys()).containsExactly(new KeyConfig("bot", KeyConfig.sha256Of("abcdefghijklmnop1234"), Role.AGENT, "default", false));
        assertThat(config.policy()).isEqualTo(new PolicyConfig(Action.ALLOW, Action.BLOCK, List.of()));
        assertThat(config.rules()).isEmpty();
        assertThat(config.ruleSet().rules()).isEmpty();
        assertThat(config.approvals()).isEqualTo(new ApprovalsConfig(Duration.ofHours(24), LinkMode.CONFIRM));
        assertThat(config.notifications()).isEqualTo(new NotificationsConfig(null, "", ""));
        assertThat(config.response()).isEqualTo(new ResponseConfig("_toolgate"));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(10L << 20, 32L << 20, 1L << 20));
    }

    @Test
    void publicUrlFollowsThePort() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "server: { port: 9443 }\n");

        assertThat(config.server().publicUrl()).isEqualTo(URI.create("http://localhost:9443"));
    }

    @Test
    void acceptsPortZeroForARandomPort() throws ConfigException {
        assertThat(ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "server: { port: 0 }\n").server().port()).isZero();
    }

    @Test
    void emptySectionsMeanDefaults() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + """
                server:
                rules:
                policy: {}
                notifications:
                  email:
                """);

        assertThat(config.server()).isEqualTo(ServerConfig.DEFAULTS);
        assertThat(config.rules()).isEmpty();
        assertThat(config.policy()).isEqualTo(PolicyConfig.DEFAULTS);
        assertThat(config.notifications().email()).isNull();
    }

    @Test
    void readsEveryDurationAndSizeUnit() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + """
                server: { idle_timeout: 250ms, request_timeout: 2m }
                upstream: { timeout: 45s, connect_timeout: 3m }
                storage: { timeout: 1500ms }
                approvals: { expire_after: 2h }
                limits: { max_request_size: 1GiB, max_response_size: 2GB, max_tool_argument_size: 3KB }
                """);

        assertThat(config.server().idleTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.server().requestTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.storage().timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.upstream().timeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.upstream().connectTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(config.approvals().expireAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(1L << 30, 2_000_000_000L, 3_000));
    }

    @Test
    void readsEmailDefaults() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + """
                notifications:
                  email: { smtp_host: smtp.example.com, from: toolgate@example.com, to: ops@example.com }
                """);

        assertThat(config.notifications().email())
                .isEqualTo(new EmailConfig("smtp.example.com", 587, "toolgate@example.com", "ops@example.com", "", "", true));
    }

    @Test
    void listsAreImmutable() throws ConfigException {
        Config config = ConfigFiles.load(dir, FULL);

        assertThat(config.keys()).isUnmodifiable();
        assertThat(config.rules()).isUnmodifiable();
        assertThat(config.policy().blockedTools()).isUnmodifiable();
    }
}
