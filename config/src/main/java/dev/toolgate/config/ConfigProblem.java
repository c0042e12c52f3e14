package dev.toolgate.config;

/**
 * One thing wrong with a configuration file, located for the person who has to fix it.
 *
 * @param file the file name, as printed ({@code toolgate.yaml})
 * @param line 1-based; 0 when the problem has no position (the file cannot be read)
 * @param column 1-based; 0 when the problem has no position
 * @param path the field at fault ({@code rules[1].when}); empty when the problem concerns the whole file
 */
public record ConfigProblem(String file, int line, int column, String path, String message) {

    /** {@code toolgate.yaml:12:11: rules[1].when: CEL does not compile: ...}, the form editors and CI link to. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(file);
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (!path.isEmpty()) {
            text.append(path).append(": ");
        }
        return text.append(message).toString();
    }
}
