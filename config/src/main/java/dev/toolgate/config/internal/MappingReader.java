package dev.toolgate.config.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** One YAML mapping of known keys, read as typed values with defaults; see {@link NodeReader}. */
final class MappingReader {
    private final NodeReader reader;
    private final String path;
    /** Where "missing" problems point: the mapping itself, or where it would have been. */
    private final Mark mark;
    private final Map<String, Node> values;

    private MappingReader(NodeReader reader, String path, Mark mark, Map<String, Node> values) {
        this.reader = reader;
        this.path = path;
        this.mark = mark;
        this.values = values;
    }

    /** An absent or empty mapping: every key reads as not set. */
    static MappingReader empty(NodeReader reader, String path, Mark where) {
        return new MappingReader(reader, path, where, Map.of());
    }

    static MappingReader of(NodeReader reader, MappingNode node, String path, List<String> allowedKeys) {
        Problems problems = reader.problems();
        Map<String, Node> values = new LinkedHashMap<>();
        Map<String, Node> keyNodes = new LinkedHashMap<>();
        for (NodeTuple entry : node.getValue()) {
            Node keyNode = entry.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                problems.add(keyNode, path, "expected a plain key, got " + NodeReader.describe(keyNode));
                continue;
            }
            // Keys are never interpolated: the file's shape must not depend on the environment.
            String key = scalarKey.getValue();
            String keyPath = child(path, key);
            if (!allowedKeys.contains(key)) {
                problems.add(keyNode, keyPath, "unknown key '" + key + "' (expected one of: " + String.join(", ", allowedKeys) + ")");
            } else if (keyNodes.containsKey(key)) {
                problems.add(keyNode, keyPath, "duplicate key '" + key + "' (first set at line "
                        + (keyNodes.get(key).getStartMark().getLine() + 1) + ")");
            } else {
                keyNodes.put(key, keyNode);
                values.put(key, entry.getValueNode());
            }
        }
        return new MappingReader(reader, path, node.getStartMark(), values);
    }

    public String path() {
        return path;
    }

    public String path(String key) {
        return child(path, key);
    }

    public Mark mark() {
        return mark;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value node, or null when the key is absent. */
    public Node node(String key) {
        return values.get(key);
    }

    /** The typed value, or {@code defaultValue} when absent, empty, or unusable (reported). */
    public <T> T get(String key, ValueType<T> type, T defaultValue) {
        return reader.value(node(key), path(key), type, defaultValue);
    }

    /** The typed value, or null after reporting that it is missing, empty, or unusable. */
    public <T> T require(String key, ValueType<T> type) {
        String text = reader.text(node(key), path(key), type.noun());
        if (text == null) {
            return null;
        }
        if (text.isEmpty()) {
            reportMissing(key, type.noun());
            return null;
        }
        return reader.parse(node(key), path(key), type, text, null);
    }

    public void reportMissing(String key, String expected) {
        reader.problems().add(mark, path(key), "missing (expected: " + expected + ")");
    }

    /** A nested section; an empty one when absent or unusable (reported), so its defaults apply. */
    public MappingReader section(String key, List<String> allowedKeys) {
        Node node = node(key);
        if (node == null) {
            return empty(reader, path(key), mark);
        }
        MappingReader section = reader.mapping(node, path(key), allowedKeys);
        return section != null ? section : empty(reader, path(key), node.getStartMark());
    }

    /**
     * A list of non-empty strings; a single string reads as a one-element list when
     * {@code singleAllowed}. Null when absent or unusable (reported).
     *
     * @param noun what the list is, for type errors ("a list of tool names")
     * @param elementNoun what each element is, for empty elements ("a tool name")
     */
    public List<String> strings(String key, String noun, String elementNoun, boolean singleAllowed) {
        Node node = node(key);
        if (node == null || NodeReader.isNull(node)) {
            return null;
        }
        List<Node> elements = singleAllowed && node instanceof ScalarNode ? List.of(node) : reader.sequence(node, path(key), noun);
        if (elements == null) {
            return null;
        }
        List<String> strings = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            String elementPath = node instanceof ScalarNode ? path(key) : element(path(key), i);
            String text = reader.text(elements.get(i), elementPath, elementNoun);
            if (text != null && text.isBlank()) {
                reader.problems().add(elements.get(i), elementPath, "empty (expected: " + elementNoun + ")");
            } else if (text != null) {
                strings.add(text);
            }
        }
        return strings.size() == elements.size() ? strings : null;
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String element(String path, int index) {
        return path + "[" + index + "]";
    }
}
