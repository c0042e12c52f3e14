package dev.toolgate.policy.internal;

import java.util.regex.Pattern;

/** A tool name pattern: an exact name, or a glob where {@code *} is any run and {@code ?} one character. */
public record ToolPattern(String text, Pattern glob) {

    public static ToolPattern of(String text) {
        if (text.indexOf('*') < 0 && text.indexOf('?') < 0) {
            return new ToolPattern(text, null);
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return new ToolPattern(text, Pattern.compile(regex.toString(), Pattern.DOTALL));
    }

    public boolean isExact() {
        return glob == null;
    }

    public boolean matches(String toolName) {
        return isExact() ? text.equals(toolName) : glob.matcher(toolName).matches();
    }
}
