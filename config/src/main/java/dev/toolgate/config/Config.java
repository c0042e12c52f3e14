package dev.toolgate.config;

import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleSet;
import java.util.List;

/** A loaded, validated {@code toolgate.yaml}: every section with its defaults filled in, rules compiled. */
public record Config(
        ServerConfig server,
        UpstreamConfig upstream,
        AnthropicConfig anthropic,
        StorageConfig storage,
        List<KeyConfig> keys,
        PolicyConfig policy,
        List<Rule> rules,
        RuleSet ruleSet,
        ApprovalsConfig approvals,
        NotificationsConfig notifications,
        ResponseConfig response,
        LimitsConfig limits,
        RedactionConfig redaction,
        JudgeConfig judge,
        McpConfig mcp,
        LoggingConfig logging,
        MetricsConfig metrics,
        TelemetryConfig telemetry,
        AgentsConfig agents,
        RiskConfig risk,
        PublicFeedConfig publicFeed,
        DeliveriesConfig deliveries) {

    public Config {
        keys = List.copyOf(keys);
        rules = List.copyOf(rules);
    }
}
