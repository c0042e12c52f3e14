package dev.toolgate.policy.internal;

import dev.toolgate.policy.ToolGlob;
import java.util.regex.Pattern;

/** A tool name pattern: an exact name, or a glob where {@code *} is any run and {@code ?} one character. */
public record ToolPattern(String text, Pattern glob) {

    public static ToolPattern of(String text) {
        if (text.indexOf('*') < 0 && text.indexOf('?') < 0) {
            return new ToolPattern(text, null);
        }
        return new ToolPattern(text, ToolGlob.compile(text, 0));
    }

    public boolean isExact() {
        return glob == null;
    }

    public boolean matches(String toolName) {
        return isExact() ? text.equals(toolName) : glob.matcher(toolName).matches();
    }
}
