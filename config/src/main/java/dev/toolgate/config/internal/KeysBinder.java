package dev.toolgate.config.internal;

import dev.toolgate.config.KeyConfig;
import dev.toolgate.config.RateLimitConfig;
import dev.toolgate.config.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Binds the {@code keys} section: who may call the gateway. A key is given raw ({@code key}) or as
 * its SHA-256 ({@code key_sha256}); either way only the digest is kept.
 */
final class KeysBinder {
    private static final int MIN_KEY_LENGTH = KeyConfig.MIN_KEY_LENGTH;
    private static final String DIGEST = "key_sha256";
    private static final List<String> FIELDS = List.of("name", "key", DIGEST, "role", "workspace", RateLimitReader.KEY);
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]*");
    private static final String DIGEST_EXPECTED = "the key's SHA-256 as 64 hexadecimal characters, "
            + "the first word printed by: printf %s \"$KEY\" | sha256sum";
    private static final String AT_LEAST_ONE =
            "at least one key such as { name: my-agent, key: \"${MY_AGENT_KEY}\", role: agent }; without keys anyone could call the gateway";

    private final NodeReader reader;
    private final Problems problems;
    private final RateLimitConfig defaultRateLimit;
    /** Name and key digest to the path of the entry that used it first. */
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, String> digests = new HashMap<>();

    /** {@code defaultRateLimit} applies to keys that set no {@code rate_limit} of their own. */
    KeysBinder(NodeReader reader, RateLimitConfig defaultRateLimit) {
        this.reader = reader;
        this.problems = reader.problems();
        this.defaultRateLimit = defaultRateLimit;
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
        RateLimitConfig rateLimit = RateLimitReader.read(reader, entry, defaultRateLimit);
        if (name != null) {
            checkUnique(names, name, entry.node("name"), entry.path("name"), "duplicate key name '" + name + "'");
        }
        if (entry.has("key") && entry.has(DIGEST)) {
            problems.add(entry.node(DIGEST), entry.path(DIGEST), "set together with key (expected: either key or key_sha256, not both)");
            return null;
        }
        if (!entry.has("key") && !entry.has(DIGEST)) {
            entry.reportMissing("key", "the key, such as \"${MY_AGENT_KEY}\", or key_sha256 with its SHA-256; "
                    + "\"${MY_AGENT_KEY:-}\" allows a development key");
            return null;
        }
        boolean raw = entry.has("key");
        String field = raw ? "key" : DIGEST;
        String value = raw
                ? reader.text(entry.node("key"), entry.path("key"), "a key of at least " + MIN_KEY_LENGTH + " characters")
                : reader.text(entry.node(DIGEST), entry.path(DIGEST), DIGEST_EXPECTED);
        if (value == null || name == null || role == null) {
            return null;
        }
        boolean development = raw && value.isEmpty();
        String digest;
        if (development) {
            digest = KeyConfig.sha256Of(KeyConfig.developmentKey(name));
        } else if (raw) {
            // Hashed here, and the raw key goes no further than this method.
            digest = isUsable(value, entry) ? KeyConfig.sha256Of(value) : null;
        } else {
            digest = configuredDigest(value, entry);
        }
        if (digest == null) {
            return null;
        }
        // The message names the entry, never the key: problems end up in logs and CI output.
        checkUnique(digests, digest, entry.node(field), entry.path(field), "duplicate key value");
        return new KeyConfig(name, digest, role, workspace, development, rateLimit);
    }

    /**
     * A {@code key_sha256} value, lower-cased. A bad one is described, never echoed: it may be the
     * raw key pasted into the wrong field.
     */
    private String configuredDigest(String value, MappingReader entry) {
        String problem = value.isEmpty() ? "empty"
                : value.length() != 64 ? value.length() + " characters"
                : !HEX.matcher(value).matches() ? "not hexadecimal"
                : null;
        if (problem != null) {
            problems.add(entry.node(DIGEST), entry.path(DIGEST), problem + " (expected: " + DIGEST_EXPECTED + ")");
            return null;
        }
        return value.toLowerCase(Locale.ROOT);
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
