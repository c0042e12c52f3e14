package dev.toolgate.config.internal;

import dev.toolgate.config.AnthropicConfig;
import dev.toolgate.config.ApprovalsConfig;
import dev.toolgate.config.Config;
import dev.toolgate.config.EmailConfig;
import dev.toolgate.config.KeyConfig;
import dev.toolgate.config.LimitsConfig;
import dev.toolgate.config.LoggingConfig;
import dev.toolgate.config.MetricsConfig;
import dev.toolgate.config.NotificationsConfig;
import dev.toolgate.config.PolicyConfig;
import dev.toolgate.config.ResponseConfig;
import dev.toolgate.config.ServerConfig;
import dev.toolgate.config.StorageConfig;
import dev.toolgate.config.JudgeConfig;
import dev.toolgate.config.TelemetryConfig;
import dev.toolgate.config.UpstreamConfig;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Binds the node tree of {@code toolgate.yaml} to a {@link Config}, one section at a time. */
public final class ConfigBinder {
    private static final List<String> SECTIONS = List.of("server", "upstream", "anthropic", "storage", "keys", "policy",
            "rules", "approvals", "notifications", "response", "limits", "redaction", "judge", "mcp",
            "logging", "metrics", "telemetry", "agents", "risk", "public_feed",
            "deliveries");

    static final List<String> POLICY_KEYS = List.of("default", "on_error", "blocked_tools");

    private final NodeReader reader;

    public ConfigBinder(NodeReader reader) {
        this.reader = reader;
    }

    /**
     * Every section bound, the rules' CEL conditions not yet compiled: compiling is the slow step,
     * and the caller may have other work to start first. Meaningful only when no problems were reported.
     */
    public Bound bind(Node root) {
        MappingReader file = reader.mapping(root, "", SECTIONS);
        if (file == null) {
            return null;
        }
        PolicyConfig policy = policy(file.section("policy", POLICY_KEYS));
        LimitsConfig limits = limits(file.section("limits",
                List.of("max_request_size", "max_response_size", "max_tool_argument_size", RateLimitReader.KEY)));
        List<KeyConfig> keys = new KeysBinder(reader, limits.rateLimit()).bind(file);
        RulesBinder.Bound rules = new RulesBinder(reader).bind(file, policy.defaults());
        UpstreamConfig upstream = upstream(file.section("upstream", withFailover("base_url", "api_key", "timeout", "connect_timeout")));
        return new Bound(new Config(
                server(file.section("server", List.of("host", "port", "public_url", "idle_timeout", "request_timeout",
                        "shutdown_grace", "instances"))),
                upstream,
                anthropic(file.section("anthropic", withFailover("base_url", "api_key"))),
                storage(file.section("storage", List.of("url", "user", "password", "timeout", "durability"))),
                keys,
                policy,
                rules.rules(),
                null,
                approvals(file.section("approvals", List.of("expire_after", "link_mode"))),
                notifications(file.section("notifications", List.of("email", "slack_webhook_url", "teams_webhook_url"))),
                response(file.section("response", List.of("metadata_field"))),
                limits,
                new RedactionBinder(reader).bind(file.section("redaction", RedactionBinder.KEYS)),
                judge(file.section("judge", List.of("base_url", "api_key", "model", "timeout", "max_concurrency", "cache_ttl")),
                        upstream),
                new McpBinder(reader).bind(file.section("mcp", McpBinder.KEYS)),
                logging(file.section("logging", List.of("format", "access"))),
                metrics(file.section("metrics", List.of("enabled", "listen"))),
                telemetry(file.section("telemetry", List.of("otlp_endpoint", "service_name"))),
                new AgentsBinder(reader).bind(file.section("agents", AgentsBinder.KEYS)),
                new RiskBinder(reader).bind(file.section("risk", RiskBinder.KEYS)),
                new PublicFeedBinder(reader).bind(file.section("public_feed", PublicFeedBinder.KEYS)),
                new DeliveriesBinder(reader).bind(file.section("deliveries", DeliveriesBinder.KEYS))), rules);
    }

    /** A bound file whose rules are still to be compiled. */
    public static final class Bound {
        /** Every section but the compiled rule set, which is null. */
        private final Config sections;
        private final RulesBinder.Bound rules;

        private Bound(Config sections, RulesBinder.Bound rules) {
            this.sections = sections;
            this.rules = rules;
        }

        public StorageConfig storage() {
            return sections.storage();
        }

        /** The whole config; meaningful only when compiling reported no problems. */
        public Config compile() {
            Config c = sections;
            return new Config(c.server(), c.upstream(), c.anthropic(), c.storage(), c.keys(), c.policy(), c.rules(),
                    rules.compile(), c.approvals(), c.notifications(), c.response(), c.limits(), c.redaction(), c.judge(),
                    c.mcp(), c.logging(), c.metrics(), c.telemetry(), c.agents(), c.risk(), c.publicFeed(),
                    c.deliveries());
        }
    }

    private static ServerConfig server(MappingReader section) {
        ServerConfig defaults = ServerConfig.DEFAULTS;
        int port = section.get("port", ValueTypes.port(0), defaults.port());
        return new ServerConfig(
                section.get("host", ValueTypes.STRING, defaults.host()),
                port,
                section.get("public_url", ValueTypes.HTTP_URL, ServerConfig.defaultPublicUrl(port)),
                section.get("idle_timeout", ValueTypes.DURATION, defaults.idleTimeout()),
                section.get("request_timeout", ValueTypes.DURATION, defaults.requestTimeout()),
                section.get("shutdown_grace", ValueTypes.DURATION, defaults.shutdownGrace()),
                section.get("instances", ValueTypes.count("a number of gateway instances", 1, 1000), defaults.instances()));
    }

    /** A provider section's own keys and those of its failover. */
    private static List<String> withFailover(String... keys) {
        List<String> all = new ArrayList<>(List.of(keys));
        all.addAll(FailoverBinder.KEYS);
        return all;
    }

    private UpstreamConfig upstream(MappingReader section) {
        UpstreamConfig defaults = UpstreamConfig.DEFAULTS;
        String apiKey = section.get("api_key", ValueTypes.STRING, defaults.apiKey());
        return new UpstreamConfig(
                section.get("base_url", ValueTypes.HTTP_URL, defaults.baseUrl()),
                apiKey,
                section.get("timeout", ValueTypes.DURATION, defaults.timeout()),
                section.get("connect_timeout", ValueTypes.DURATION, defaults.connectTimeout()),
                new FailoverBinder(reader).bind(section, !apiKey.isEmpty(), UpstreamConfig.HEALTH_PATH));
    }

    private static JudgeConfig judge(MappingReader section, UpstreamConfig upstream) {
        JudgeConfig defaults = JudgeConfig.defaultsFor(upstream);
        return new JudgeConfig(
                section.get("base_url", ValueTypes.HTTP_URL, defaults.baseUrl()),
                section.get("api_key", ValueTypes.STRING, defaults.apiKey()),
                section.get("model", ValueTypes.text("a model name"), defaults.model()),
                section.get("timeout", ValueTypes.DURATION, defaults.timeout()),
                section.get("max_concurrency", ValueTypes.count("a number of judge requests", 1, 1024), defaults.maxConcurrency()),
                section.get("cache_ttl", ValueTypes.DURATION, defaults.cacheTtl()));
    }

    private AnthropicConfig anthropic(MappingReader section) {
        AnthropicConfig defaults = AnthropicConfig.DEFAULTS;
        String apiKey = section.get("api_key", ValueTypes.STRING, defaults.apiKey());
        return new AnthropicConfig(
                section.get("base_url", ValueTypes.HTTP_URL, defaults.baseUrl()),
                apiKey,
                new FailoverBinder(reader).bind(section, !apiKey.isEmpty(), AnthropicConfig.HEALTH_PATH));
    }

    private static StorageConfig storage(MappingReader section) {
        StorageConfig defaults = StorageConfig.DEFAULTS;
        return new StorageConfig(
                section.get("url", ValueTypes.JDBC_URL, defaults.url()),
                section.get("user", ValueTypes.STRING, defaults.user()),
                section.get("password", ValueTypes.STRING, defaults.password()),
                section.get("timeout", ValueTypes.DURATION, defaults.timeout()),
                section.get("durability", ValueTypes.DURABILITY, defaults.durability()));
    }

    static PolicyConfig policy(MappingReader section) {
        PolicyConfig defaults = PolicyConfig.DEFAULTS;
        return new PolicyConfig(
                section.get("default", ValueTypes.ACTION, defaults.defaultAction()),
                section.get("on_error", ValueTypes.ACTION, defaults.onError()),
                blockedTools(section));
    }

    private static List<String> blockedTools(MappingReader section) {
        List<String> tools = section.strings("blocked_tools", "a list of tool names", "a tool name", true);
        return tools == null ? List.of() : tools;
    }

    private static ApprovalsConfig approvals(MappingReader section) {
        ApprovalsConfig defaults = ApprovalsConfig.DEFAULTS;
        return new ApprovalsConfig(
                section.get("expire_after", ValueTypes.DURATION, defaults.expireAfter()),
                section.get("link_mode", ValueTypes.LINK_MODE, defaults.linkMode()));
    }

    private static NotificationsConfig notifications(MappingReader section) {
        NotificationsConfig defaults = NotificationsConfig.DEFAULTS;
        return new NotificationsConfig(
                email(section),
                section.get("slack_webhook_url", ValueTypes.WEBHOOK_URL, defaults.slackWebhookUrl()),
                section.get("teams_webhook_url", ValueTypes.WEBHOOK_URL, defaults.teamsWebhookUrl()));
    }

    /** Null when the section is absent: email is one channel among several, not a requirement. */
    private static EmailConfig email(MappingReader notifications) {
        if (!notifications.has("email") || NodeReader.isNull(notifications.node("email"))) {
            return null;
        }
        MappingReader section = notifications.section("email",
                List.of("smtp_host", "smtp_port", "from", "to", "username", "password", "starttls"));
        return new EmailConfig(
                section.require("smtp_host", ValueTypes.text("the SMTP server's host name")),
                section.get("smtp_port", ValueTypes.port(1), EmailConfig.DEFAULT_SMTP_PORT),
                section.require("from", ValueTypes.EMAIL),
                section.require("to", ValueTypes.EMAIL),
                section.get("username", ValueTypes.STRING, ""),
                section.get("password", ValueTypes.STRING, ""),
                section.get("starttls", ValueTypes.BOOLEAN, true));
    }

    private static LoggingConfig logging(MappingReader section) {
        LoggingConfig defaults = LoggingConfig.DEFAULTS;
        return new LoggingConfig(
                section.get("format", ValueTypes.LOG_FORMAT, defaults.format()),
                section.get("access", ValueTypes.BOOLEAN, defaults.access()));
    }

    private static MetricsConfig metrics(MappingReader section) {
        MetricsConfig defaults = MetricsConfig.DEFAULTS;
        ValueTypes.HostPort listen = section.get("listen", ValueTypes.HOST_PORT, null);
        return new MetricsConfig(
                section.get("enabled", ValueTypes.BOOLEAN, defaults.enabled()),
                listen == null ? null : listen.host(),
                listen == null ? 0 : listen.port());
    }

    private static TelemetryConfig telemetry(MappingReader section) {
        TelemetryConfig defaults = TelemetryConfig.DEFAULTS;
        return new TelemetryConfig(
                section.get("otlp_endpoint", ValueTypes.HTTP_URL, defaults.otlpEndpoint()),
                section.get("service_name", ValueTypes.text("a service name"), defaults.serviceName()));
    }

    private static ResponseConfig response(MappingReader section) {
        return new ResponseConfig(section.get("metadata_field", ValueTypes.JSON_FIELD, ResponseConfig.DEFAULTS.metadataField()));
    }

    private LimitsConfig limits(MappingReader section) {
        LimitsConfig defaults = LimitsConfig.DEFAULTS;
        return new LimitsConfig(
                section.get("max_request_size", ValueTypes.SIZE, defaults.maxRequestBytes()),
                section.get("max_response_size", ValueTypes.SIZE, defaults.maxResponseBytes()),
                section.get("max_tool_argument_size", ValueTypes.SIZE, defaults.maxToolArgumentBytes()),
                RateLimitReader.read(reader, section, defaults.rateLimit()));
    }
}
