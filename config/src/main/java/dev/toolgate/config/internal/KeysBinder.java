package dev.toolgate.config.internal;

import dev.toolgate.config.KeyConfig;
import dev.toolgate.config.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Binds the {@code keys} section: who may call the gateway. */
final class KeysBinder {
    private static final int MIN_KEY_LENGTH = KeyConfig.MIN_KEY_LENGTH;
    private static final List<String> FIELDS = List.of("name", "key", "role", "workspace");
    private static final String AT_LEAST_ONE =
            "at least one key such as { name: my-agent, key: \"${MY_AGENT_KEY}\", role: agent }; without keys anyone could call the gateway";

    private final NodeReader reader;
    private final Problems problems;
    /** Name and key value to the path of the entry that used it first. */
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, String> keyValues = new HashMap<>();

    KeysBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    List<KeyConfig> bind(MappingReader file) {
        Node node = file.node("keys");
        if (node == null || NodeReader.isNull(node)) {
            // A gateway without keys would be open: unlike every other section, this one has no default.
            file.reportMissing("keys", AT_LEAST_ONE);
            return List.of();
        }
        List<Node> entries = reader.sequence(node, "keys", "a list of keys");
        if (entries == null) {
            return List.of();
        }
        if (entries.isEmpty()) {
            problems.add(node, "keys", "empty (expected: " + AT_LEAST_ONE + ")");
        }
        List<KeyConfig> keys = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            MappingReader entry = reader.mapping(entries.get(i), MappingReader.element("keys", i), FIELDS);
            KeyConfig key = entry == null ? null : key(entry);
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }

    private KeyConfig key(MappingReader entry) {
        String name = entry.require("name", ValueTypes.text("a unique name for the key's owner"));
        Role role = entry.require("role", ValueTypes.ROLE);
        String workspace = entry.get("workspace", ValueTypes.STRING, KeyConfig.DEFAULT_WORKSPACE);
        if (name != null) {
            checkUnique(names, name, entry.node("name"), entry.path("name"), "duplicate key name '" + name + "'");
        }
        if (!entry.has("key")) {
            entry.reportMissing("key", "the key, such as \"${MY_AGENT_KEY}\"; \"${MY_AGENT_KEY:-}\" allows a development key");
            return null;
        }
        String value = reader.text(entry.node("key"), entry.path("key"), "a key of at least " + MIN_KEY_LENGTH + " characters");
        if (value == null || name == null || role == null) {
            return null;
        }
        boolean development = value.isEmpty();
        if (development) {
            value = KeyConfig.developmentKey(name);
        } else if (!isUsable(value, entry)) {
            return null;
        }
        // The message names the entry, never the key: problems end up in logs and CI output.
        checkUnique(keyValues, value, entry.node("key"), entry.path("key"), "duplicate key value");
        return new KeyConfig(name, value, role, workspace, development);
    }

    private boolean isUsable(String key, MappingReader entry) {
        if (key.length() < MIN_KEY_LENGTH) {
            problems.add(entry.node("key"), entry.path("key"), "too short: " + key.length()
                    + " characters (expected: at least " + MIN_KEY_LENGTH + " characters)");
            return false;
        }
        if (!key.equals(key.strip())) {
            // Usually a trailing newline from `$(cat keyfile)`; HTTP trims header values, so the key could never match.
            problems.add(entry.node("key"), entry.path("key"),
                    "starts or ends with whitespace (expected: the key alone; check the variable it comes from)");
            return false;
        }
        return true;
    }

    private void checkUnique(Map<String, String> seen, String value, Node node, String path, String what) {
        String first = seen.putIfAbsent(value, path);
        if (first != null) {
            problems.add(node, path, what + " (first used at " + first + ")");
        }
    }
}
