package dev.toolgate.config.internal;

import dev.toolgate.config.FailoverConfig;
import dev.toolgate.config.FailoverConfig.Conditions;
import dev.toolgate.config.FailoverConfig.Fallback;
import dev.toolgate.config.FailoverConfig.HealthCheck;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Binds the failover keys of a provider section ({@code fallbacks}, {@code conditions},
 * {@code health_check}). A section whose primary has its own key needs one for every fallback:
 * clients then send the gateway key, which a keyless fallback would receive as their credential.
 */
final class FailoverBinder {
    static final List<String> KEYS = List.of("fallbacks", "conditions", "health_check");
    private static final List<String> FALLBACK_FIELDS = List.of("base_url", "api_key", "model");
    private static final List<String> CONDITION_FIELDS = List.of("error_rate_threshold", "latency_threshold_ms", "window", "min_requests");
    private static final List<String> HEALTH_FIELDS = List.of("enabled", "interval", "path", "timeout");
    private static final String EXAMPLE = "[{ base_url: \"https://backup.example.com/v1\", api_key: \"${BACKUP_KEY}\" }]";

    private static final ValueType<Double> RATE = new ValueType<>("an error rate", text -> {
        try {
            double rate = Double.parseDouble(text);
            if (rate > 0 && rate <= 1) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is accepted
        }
        throw new IllegalArgumentException(text + " (expected: a fraction of requests above 0 and up to 1, such as 0.5)");
    });
    private static final ValueType<Integer> MILLIS = ValueTypes.count("a number of milliseconds", 1, 3_600_000);
    private static final ValueType<String> PATH = new ValueType<>("a path", text -> {
        if (!text.startsWith("/") || text.contains("?") || text.contains("#")) {
            throw new IllegalArgumentException(text + " (expected: a path under the base URL such as /models)");
        }
        return text;
    });

    private final NodeReader reader;

    FailoverBinder(NodeReader reader) {
        this.reader = reader;
    }

    /** {@code primaryHasKey}: whether the section sets its own {@code api_key}. */
    FailoverConfig bind(MappingReader section, boolean primaryHasKey, String defaultHealthPath) {
        return new FailoverConfig(fallbacks(section, primaryHasKey), conditions(section.section("conditions", CONDITION_FIELDS)),
                healthCheck(section.section("health_check", HEALTH_FIELDS), defaultHealthPath));
    }

    private List<Fallback> fallbacks(MappingReader section, boolean primaryHasKey) {
        String path = section.path("fallbacks");
        List<Node> entries = reader.sequence(section.node("fallbacks"), path, "a list of endpoints such as " + EXAMPLE);
        List<Fallback> fallbacks = new ArrayList<>();
        if (entries == null) {
            return fallbacks;
        }
        for (int i = 0; i < entries.size(); i++) {
            MappingReader entry = reader.mapping(entries.get(i), MappingReader.element(path, i), FALLBACK_FIELDS);
            if (entry == null) {
                continue;
            }
            URI baseUrl = entry.require("base_url", ValueTypes.HTTP_URL);
            String apiKey = entry.get("api_key", ValueTypes.STRING, "");
            if (primaryHasKey && apiKey.isEmpty()) {
                entry.reportMissing("api_key", "this endpoint's own key, since the section's api_key is set "
                        + "(clients then send the gateway key, which must not reach a provider)");
            }
            String model = entry.get("model", ValueTypes.text("a model name"), "");
            if (baseUrl != null) {
                fallbacks.add(new Fallback(baseUrl, apiKey, model));
            }
        }
        return fallbacks;
    }

    private static Conditions conditions(MappingReader section) {
        Conditions defaults = Conditions.DEFAULTS;
        Integer latencyMillis = section.get("latency_threshold_ms", MILLIS, null);
        return new Conditions(
                section.get("error_rate_threshold", RATE, defaults.errorRateThreshold()),
                latencyMillis == null ? defaults.latencyThreshold() : Duration.ofMillis(latencyMillis),
                section.get("window", ValueTypes.DURATION, defaults.window()),
                section.get("min_requests", ValueTypes.count("a number of requests", 1, 100_000), defaults.minRequests()));
    }

    private static HealthCheck healthCheck(MappingReader section, String defaultPath) {
        HealthCheck defaults = HealthCheck.defaults(defaultPath);
        return new HealthCheck(
                section.get("enabled", ValueTypes.BOOLEAN, defaults.enabled()),
                section.get("interval", ValueTypes.DURATION, defaults.interval()),
                section.get("path", PATH, defaults.path()),
                section.get("timeout", ValueTypes.DURATION, defaults.timeout()));
    }
}
