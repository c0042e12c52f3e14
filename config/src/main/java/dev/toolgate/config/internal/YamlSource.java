package dev.toolgate.config.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.reader.UnicodeReader;

/** Reads a YAML file into a node tree, which keeps the position of every value for error messages. */
public final class YamlSource {
    private YamlSource() {
    }

    /** The root node of {@code text} (a manifest sent to the API); null when empty or not YAML (reported). */
    public static Node compose(String text, Problems problems) {
        try {
            return new Yaml().compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            problems.add(e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark(), "", syntaxMessage(e));
        } catch (YAMLException e) {
            problems.addUnlocated("not readable YAML: " + e.getMessage());
        }
        return null;
    }

    /** The root node; null when the file is empty, or unreadable or not YAML (reported). */
    public static Node compose(Path file, Problems problems) {
        // UnicodeReader honours a byte-order mark; without one the file is UTF-8.
        try (Reader reader = new UnicodeReader(Files.newInputStream(file))) {
            return new Yaml().compose(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add(mark, "", syntaxMessage(e) + unquotedReferenceHint(file, e));
        } catch (YAMLException e) {
            problems.addUnlocated("not a readable YAML file: " + e.getMessage());
        } catch (IOException e) {
            problems.addUnlocated("cannot read " + file.toAbsolutePath() + ": " + describe(e));
        }
        return null;
    }

    private static String syntaxMessage(MarkedYAMLException e) {
        String problem = e.getProblem() != null ? e.getProblem() : "not valid YAML";
        Mark context = e.getContextMark();
        if (e.getContext() == null) {
            return problem;
        }
        String where = context == null ? "" : " at " + (context.getLine() + 1) + ":" + (context.getColumn() + 1);
        return problem + " (" + e.getContext() + where + ")";
    }

    /**
     * {@code { key: ${VAR} }} is the most likely syntax error in this file: braces end a plain
     * value inside a flow collection. SnakeYAML's message does not say so; this does.
     */
    private static String unquotedReferenceHint(Path file, MarkedYAMLException e) {
        if (e.getProblemMark() == null || e.getContext() == null || !e.getContext().contains("flow")) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(file);
            int line = e.getProblemMark().getLine();
            if (line < lines.size() && lines.get(line).contains("${")) {
                return "; inside { } or [ ], a value with ${...} must be quoted: key: \"${VAR}\"";
            }
        } catch (IOException ignored) {
            // Only a hint: the syntax error itself is already reported.
        }
        return "";
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
