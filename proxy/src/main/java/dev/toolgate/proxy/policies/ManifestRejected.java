package dev.toolgate.proxy.policies;

import dev.toolgate.config.ConfigProblem;
import java.util.List;

/** A manifest refused, with every problem as {@code manifest:line:col: field: problem} (the config loader's form). */
public final class ManifestRejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigProblem> problems;

    public ManifestRejected(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).reduce((a, b) -> a + "; " + b).orElse("invalid manifest"));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
