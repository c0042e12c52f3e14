package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * When an alert rule fires: a metric over a window against a threshold. Parsed from the API's
 * {@code condition} object (the seed's {@code {metric, threshold_ms, window_seconds}} shape), with
 * messages that say what was expected.
 *
 * @param threshold a fraction for rates, milliseconds for latency, a count otherwise
 * @param minutes approvals pending longer than this many minutes count (approvals_pending only)
 * @param minCalls rates are judged only over at least this many calls
 */
public record AlertCondition(Metric metric, double threshold, Duration window, int minutes, int minCalls) {

    /** What a rule watches. */
    public enum Metric {
        BLOCK_RATE("share of tool calls blocked or denied"),
        APPROVALS_PENDING("approvals pending longer than the given minutes"),
        BREAKER_TRIPPED("agents whose breaker left monitoring"),
        UPSTREAM_ERROR_RATE("share of upstream requests that failed"),
        UPSTREAM_LATENCY("95th percentile upstream latency in ms"),
        AUDIT_VERIFY("audit chain verification failing"),
        STORAGE_OUTAGE("storage not answering");

        private final String description;

        Metric(String description) {
            this.description = description;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String description() {
            return description;
        }

        static Metric parse(String text) {
            String name = "latency".equals(text) ? "upstream_latency" : "error_rate".equals(text) ? "upstream_error_rate" : text;
            for (Metric metric : values()) {
                if (metric.wireName().equals(name)) {
                    return metric;
                }
            }
            throw new IllegalArgumentException("condition.metric: '" + text + "' (expected: "
                    + Arrays.stream(values()).map(Metric::wireName).collect(Collectors.joining(", ")) + ")");
        }
    }

    /** Parses the API's {@code condition}; throws {@link IllegalArgumentException} with the field and what was expected. */
    public static AlertCondition parse(JsonNode condition) {
        if (condition == null || !condition.isObject()) {
            throw new IllegalArgumentException("condition must be an object such as {\"metric\": \"block_rate\", \"threshold\": 0.5}");
        }
        Metric metric = Metric.parse(condition.path("metric").asText(""));
        double threshold = switch (metric) {
            case UPSTREAM_LATENCY -> number(condition, "threshold_ms", Double.NaN, 1, Double.MAX_VALUE);
            case BLOCK_RATE, UPSTREAM_ERROR_RATE -> number(condition, "threshold", Double.NaN, 0, 1);
            default -> number(condition, "threshold", 1, 1, Double.MAX_VALUE);
        };
        long windowSeconds = (long) number(condition, "window_seconds", 300, 10, 3600);
        int minutes = metric == Metric.APPROVALS_PENDING ? (int) number(condition, "minutes", Double.NaN, 1, 7 * 24 * 60) : 0;
        int minCalls = (int) number(condition, "min_calls", 1, 1, 1_000_000);
        return new AlertCondition(metric, threshold, Duration.ofSeconds(windowSeconds), minutes, minCalls);
    }

    private static double number(JsonNode condition, String field, double defaultValue, double min, double max) {
        JsonNode value = condition.path(field);
        if (value.isMissingNode() || value.isNull()) {
            if (Double.isNaN(defaultValue)) {
                throw new IllegalArgumentException("condition." + field + " is required for this metric");
            }
            return defaultValue;
        }
        if (!value.isNumber() || value.doubleValue() < min || value.doubleValue() > max) {
            throw new IllegalArgumentException("condition." + field + ": " + value + " (expected: a number from " + format(min)
                    + " to " + format(max) + ")");
        }
        return value.doubleValue();
    }

    private static String format(double number) {
        return number == Double.MAX_VALUE ? "any" : number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
    }

    /** Whether {@code value} (as {@link AlertSignals#measure} gives it) breaches the threshold. */
    public boolean breached(double value) {
        return value >= threshold;
    }

    /** The condition as the API shows it. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("metric", metric.wireName());
        if (metric == Metric.UPSTREAM_LATENCY) {
            json.put("threshold_ms", threshold);
        } else {
            json.put("threshold", threshold);
        }
        if (metric == Metric.APPROVALS_PENDING) {
            json.put("minutes", minutes);
        }
        json.put("window_seconds", window.toSeconds());
        if (metric == Metric.BLOCK_RATE || metric == Metric.UPSTREAM_ERROR_RATE || metric == Metric.UPSTREAM_LATENCY) {
            json.put("min_calls", minCalls);
        }
        return json;
    }
}
