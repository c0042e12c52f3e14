package dev.toolgate.config.internal;

import dev.toolgate.config.RiskConfig;
import dev.toolgate.config.RiskConfig.Sensitivity;
import dev.toolgate.config.RiskConfig.ToolCategory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Binds the {@code risk} section. Categories named here come before the built-in ones and replace
 * a built-in one of the same name; each list given replaces its built-in default.
 */
final class RiskBinder {
    static final List<String> KEYS = List.of("categories", "production_markers", "protected_paths", "destructive_patterns");
    private static final List<String> FIELDS = List.of("name", "sensitivity", "tools", "control");
    private static final String EXAMPLE = "{ name: payments, sensitivity: critical, tools: [\"*refund*\"], control: escalate }";
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");

    private static final ValueType<String> CATEGORY_NAME = new ValueType<>("a category name such as payments", text -> {
        if (!NAME.matcher(text).matches()) {
            throw new IllegalArgumentException(text + " (expected: lower-case letters, digits and _, such as data_deletion)");
        }
        return text;
    });
    private static final ValueType<Sensitivity> SENSITIVITY = ValueTypes.choice(Sensitivity.values(), Sensitivity::wireName);
    private static final ValueType<String> CONTROL = new ValueType<>("a control", text -> {
        if (!ToolCategory.CONTROLS.contains(text)) {
            throw new IllegalArgumentException(text + " (expected one of: " + String.join(", ", ToolCategory.CONTROLS) + ")");
        }
        return text;
    });

    private final NodeReader reader;
    private final Problems problems;

    RiskBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    RiskConfig bind(MappingReader section) {
        RiskConfig defaults = RiskConfig.DEFAULTS;
        List<String> markers = section.strings("production_markers", "a list of words such as [prod, production]", "a word", false);
        List<String> paths = section.strings("protected_paths", "a list of paths such as [.env, infra]", "a path", false);
        List<String> patterns = section.strings("destructive_patterns", "a list of regular expressions such as [\"rm\\\\s+-rf\"]",
                "a regular expression", false);
        if (patterns != null) {
            List<Node> nodes = reader.sequence(section.node("destructive_patterns"), section.path("destructive_patterns"), "a list");
            for (int i = 0; i < patterns.size(); i++) {
                checkRegex(nodes.get(i), MappingReader.element(section.path("destructive_patterns"), i), patterns.get(i));
            }
        }
        return new RiskConfig(RiskConfig.withBuiltIns(categories(section)),
                markers == null ? defaults.productionMarkers() : markers,
                paths == null ? defaults.protectedPaths() : paths,
                patterns == null ? defaults.destructivePatterns() : patterns);
    }

    private List<ToolCategory> categories(MappingReader section) {
        String path = section.path("categories");
        List<Node> entries = reader.sequence(section.node("categories"), path, "a list of categories such as [" + EXAMPLE + "]");
        List<ToolCategory> categories = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        if (entries == null) {
            return categories;
        }
        for (int i = 0; i < entries.size(); i++) {
            MappingReader entry = reader.mapping(entries.get(i), MappingReader.element(path, i), FIELDS);
            if (entry == null) {
                continue;
            }
            String name = entry.require("name", CATEGORY_NAME);
            Sensitivity sensitivity = entry.require("sensitivity", SENSITIVITY);
            List<String> tools = entry.strings("tools", "a list of tool names or globs such as [\"*refund*\"]", "a tool name or glob", true);
            if (tools == null && !entry.has("tools")) {
                entry.reportMissing("tools", "a list of tool names or globs such as [\"*refund*\"]");
            }
            String control = entry.get("control", CONTROL, "warn");
            if (name != null) {
                String first = names.putIfAbsent(name, entry.path("name"));
                if (first != null) {
                    problems.add(entry.node("name"), entry.path("name"), "duplicate category '" + name + "' (first named at " + first + ")");
                }
            }
            if (name != null && sensitivity != null && tools != null) {
                categories.add(new ToolCategory(name, sensitivity, tools, control));
            }
        }
        return categories;
    }

    private void checkRegex(Node node, String path, String regex) {
        try {
            if (Pattern.compile(regex).matcher("").find()) {
                problems.add(node, path, regex + " matches empty text (expected: a pattern that matches only destructive commands)");
            }
        } catch (PatternSyntaxException e) {
            problems.add(node, path, regex + " does not compile: " + e.getDescription()
                    + " (expected: a Java regular expression such as rm\\s+-rf)");
        }
    }
}
