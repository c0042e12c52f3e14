package dev.toolgate.config.internal;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in scalar values with environment variables;
 * <code>$${</code> is a literal <code>${</code>. Values from the environment are never expanded again.
 */
public final class Interpolator {
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String SYNTAX = "expected: ${VAR} or ${VAR:-default}; write $${ for a literal ${";

    private final Map<String, String> environment;

    public Interpolator(Map<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** The value with every reference replaced; the exception's message says what is wrong. */
    public String apply(String raw) {
        if (raw.indexOf('$') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (raw.startsWith("${", i)) {
                int end = raw.indexOf('}', i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated " + raw.substring(i) + " (" + SYNTAX + ")");
                }
                out.append(resolve(raw.substring(i + 2, end)));
                i = end + 1;
            } else {
                out.append(raw.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    private String resolve(String reference) {
        int separator = reference.indexOf(":-");
        String name = separator < 0 ? reference : reference.substring(0, separator);
        if (!VARIABLE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("${" + reference + "} is not a variable reference (" + SYNTAX + ")");
        }
        String value = environment.get(name);
        if (separator >= 0) {
            // Empty counts as unset: `FOO= toolgate` is how people unset a variable in a shell.
            return value == null || value.isEmpty() ? reference.substring(separator + 2) : value;
        }
        if (value == null) {
            throw new IllegalArgumentException("environment variable " + name + " is not set (use ${" + name
                    + ":-default} for an optional value)");
        }
        return value;
    }
}
