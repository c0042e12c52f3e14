package dev.toolgate.policy;

import java.util.regex.Pattern;

/**
 * The one tool-name glob syntax of the config, for rules and the tool taxonomy alike: {@code *}
 * is any run of characters, {@code ?} one character, everything else literal.
 */
public final class ToolGlob {
    private ToolGlob() {
    }

    /** {@code glob} as a regular expression matched against a whole tool name, with extra {@link Pattern} flags. */
    public static Pattern compile(String glob, int flags) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString(), Pattern.DOTALL | flags);
    }
}
