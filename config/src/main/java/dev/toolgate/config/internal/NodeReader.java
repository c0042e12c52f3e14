package dev.toolgate.config.internal;

import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML nodes as config values: interpolates scalars, checks node kinds, and records each
 * problem at the node it concerns. Readers never throw for bad input; they report and go on, so
 * one load finds every problem.
 */
public final class NodeReader {
    private final Problems problems;
    private final Interpolator interpolator;

    public NodeReader(Problems problems, Interpolator interpolator) {
        this.problems = problems;
        this.interpolator = interpolator;
    }

    Problems problems() {
        return problems;
    }

    /**
     * The mapping at {@code node} with its keys checked against {@code allowedKeys}. A null node
     * (absent, or written as an empty value) reads as an empty mapping; a node of another kind is
     * reported and returns null.
     */
    MappingReader mapping(Node node, String path, List<String> allowedKeys) {
        if (node == null || isNull(node)) {
            return MappingReader.empty(this, path, node == null ? null : node.getStartMark());
        }
        if (!(node instanceof MappingNode mapping)) {
            problems.add(node, path, "expected a mapping, got " + describe(node));
            return null;
        }
        return MappingReader.of(this, mapping, path, allowedKeys);
    }

    /** The elements of the list at {@code node}; empty when null; null (reported) when not a list. */
    List<Node> sequence(Node node, String path, String noun) {
        if (node == null || isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            problems.add(node, path, "expected " + noun + ", got " + describe(node));
            return null;
        }
        return sequence.getValue();
    }

    /**
     * A scalar's text after interpolation. Returns "" when the value is null or empty (callers
     * treat that as not set), and null when the value is unusable (already reported).
     */
    String text(Node node, String path, String noun) {
        if (node == null || isNull(node)) {
            return "";
        }
        if (!(node instanceof ScalarNode scalar)) {
            problems.add(node, path, "expected " + noun + ", got " + describe(node));
            return null;
        }
        try {
            return interpolator.apply(scalar.getValue());
        } catch (IllegalArgumentException e) {
            problems.add(node, path, e.getMessage());
            return null;
        }
    }

    /** The typed value, or {@code defaultValue} when not set or unusable (reported). */
    <T> T value(Node node, String path, ValueType<T> type, T defaultValue) {
        String text = text(node, path, type.noun());
        if (text == null || text.isEmpty()) {
            return defaultValue;
        }
        return parse(node, path, type, text, defaultValue);
    }

    <T> T parse(Node node, String path, ValueType<T> type, String text, T fallback) {
        try {
            return type.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(node, path, e.getMessage());
            return fallback;
        }
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** What a node is, in the words of a type error: "expected a string, got a list". */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        Tag tag = node.getTag();
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "a number";
        }
        if (Tag.BOOL.equals(tag)) {
            return "a boolean";
        }
        if (Tag.NULL.equals(tag)) {
            return "an empty value";
        }
        return "a string";
    }
}
