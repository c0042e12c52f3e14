package dev.toolgate.config.internal;

import dev.toolgate.config.RateLimitConfig;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a {@code rate_limit} value, in {@code limits} or in a key: {@code { requests_per_minute: 600,
 * burst: 100 }} ({@code burst} defaults to {@code requests_per_minute}) or {@code unlimited}.
 */
final class RateLimitReader {
    static final String KEY = "rate_limit";
    private static final String UNLIMITED = "unlimited";
    private static final List<String> FIELDS = List.of("requests_per_minute", "burst");
    private static final String EXPECTED = "{ requests_per_minute: 600, burst: 100 } or " + UNLIMITED;
    private static final ValueType<Integer> REQUESTS =
            ValueTypes.count("a number of requests", 1, RateLimitConfig.MAX_REQUESTS);

    private RateLimitReader() {
    }

    /** The value under {@code rate_limit} in {@code parent}, or {@code fallback} when absent or unusable (reported). */
    static RateLimitConfig read(NodeReader reader, MappingReader parent, RateLimitConfig fallback) {
        Node node = parent.node(KEY);
        String path = parent.path(KEY);
        if (node == null || NodeReader.isNull(node)) {
            return fallback;
        }
        if (node instanceof ScalarNode) {
            String text = reader.text(node, path, EXPECTED);
            if (text != null && text.isEmpty()) {
                return fallback;
            }
            if (text != null && !text.equals(UNLIMITED)) {
                reader.problems().add(node, path, text + " (expected: " + EXPECTED + ")");
            }
            return text != null && text.equals(UNLIMITED) ? RateLimitConfig.UNLIMITED : fallback;
        }
        MappingReader limit = reader.mapping(node, path, FIELDS);
        if (limit == null) {
            return fallback;
        }
        Integer perMinute = limit.require("requests_per_minute", REQUESTS);
        Integer burst = limit.get("burst", REQUESTS, null);
        if (perMinute == null) {
            return fallback;
        }
        return new RateLimitConfig(perMinute, burst == null ? perMinute : burst);
    }
}
