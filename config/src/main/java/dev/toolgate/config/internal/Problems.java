package dev.toolgate.config.internal;

import dev.toolgate.config.ConfigProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every problem in one file, so the operator fixes them in one pass rather than one restart each. */
public final class Problems {
    private final String file;
    private final List<ConfigProblem> problems = new ArrayList<>();

    public Problems(String file) {
        this.file = file;
    }

    public void add(Node node, String path, String message) {
        add(node == null ? null : node.getStartMark(), path, message);
    }

    /** A null mark means the start of the file (an empty document has no nodes to point at). */
    public void add(Mark mark, String path, String message) {
        // SnakeYAML counts from 0; editors and compilers count from 1.
        int line = mark == null ? 1 : mark.getLine() + 1;
        int column = mark == null ? 1 : mark.getColumn() + 1;
        problems.add(new ConfigProblem(file, line, column, path, message));
    }

    /** Where {@code mark} is, as {@code file:line} (the form problems are reported in), for what the file defines. */
    public String location(Mark mark) {
        return file + ":" + (mark == null ? 1 : mark.getLine() + 1);
    }

    /** For problems no position fits, such as a file that cannot be read. */
    public void addUnlocated(String message) {
        problems.add(new ConfigProblem(file, 0, 0, "", message));
    }

    public int count() {
        return problems.size();
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** In file order, the order a person fixes them in. */
    public List<ConfigProblem> inFileOrder() {
        List<ConfigProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
        return List.copyOf(sorted);
    }
}
