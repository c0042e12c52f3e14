package dev.toolgate.config.internal;

import dev.toolgate.config.RedactionConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/** Binds the {@code redaction} section: the operator's own secret detectors, and whether emails are masked. */
final class RedactionBinder {
    static final List<String> KEYS = List.of("patterns", "redact_emails");
    private static final List<String> FIELDS = List.of("name", "regex");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final String EXAMPLE = "{ name: employee_id, regex: \"EMP-[0-9]{6}\" }";

    /** The label in {@code [REDACTED:<name>]}: kept to a word, so masked text stays readable. */
    private static final ValueType<String> PATTERN_NAME = new ValueType<>("a name for what the pattern finds, such as employee_id",
            text -> {
                if (!NAME.matcher(text).matches()) {
                    throw new IllegalArgumentException(text + " (expected: letters, digits, _ and -, such as employee_id)");
                }
                return text;
            });

    private static final ValueType<String> REGEX = new ValueType<>("a regular expression such as EMP-[0-9]{6}", text -> {
        Pattern compiled;
        try {
            compiled = Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(text + " does not compile: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "")
                    + " (expected: a Java regular expression such as EMP-[0-9]{6})");
        }
        if (compiled.matcher("").matches()) {
            // It would mask the gap between every two characters.
            throw new IllegalArgumentException(text + " matches empty text (expected: a pattern that matches only what to mask)");
        }
        return text;
    });

    private final NodeReader reader;
    private final Problems problems;
    /** Name to the path of the entry that used it first. */
    private final Map<String, String> names = new HashMap<>();

    RedactionBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    RedactionConfig bind(MappingReader section) {
        boolean emails = section.get("redact_emails", ValueTypes.BOOLEAN, RedactionConfig.DEFAULTS.redactEmails());
        String path = section.path("patterns");
        List<Node> entries = reader.sequence(section.node("patterns"), path, "a list of patterns such as [" + EXAMPLE + "]");
        List<RedactionConfig.Detector> detectors = new ArrayList<>();
        if (entries != null) {
            for (int i = 0; i < entries.size(); i++) {
                MappingReader entry = reader.mapping(entries.get(i), MappingReader.element(path, i), FIELDS);
                RedactionConfig.Detector detector = entry == null ? null : detector(entry);
                if (detector != null) {
                    detectors.add(detector);
                }
            }
        }
        return new RedactionConfig(detectors, emails);
    }

    private RedactionConfig.Detector detector(MappingReader entry) {
        String name = entry.require("name", PATTERN_NAME);
        String regex = entry.require("regex", REGEX);
        if (name != null) {
            String first = names.putIfAbsent(name, entry.path("name"));
            if (first != null) {
                problems.add(entry.node("name"), entry.path("name"), "duplicate pattern name '" + name + "' (first used at " + first + ")");
            }
        }
        return name == null || regex == null ? null : new RedactionConfig.Detector(name, regex);
    }
}
