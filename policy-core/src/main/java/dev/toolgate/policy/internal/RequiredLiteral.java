package dev.toolgate.policy.internal;

/**
 * A piece of text every match of an RE2 regular expression contains, read from the pattern's source,
 * so that text without it can be turned down before the matcher runs. RE2J has no such prefilter: it
 * runs its automaton over the whole text, about a microsecond for a short path, and a rule such as
 * {@code args.path.matches('(^|/)\\.env$')} runs it on every call to its tools, most of which do not
 * match.
 *
 * <p>Deliberately conservative: only characters at the top level of the pattern (outside groups and
 * classes) that are certainly themselves count, and a run of them ends at anything else. A pattern
 * with a top-level alternation, flags, quoting or POSIX classes has no required literal here. An
 * empty result means "no prefilter", never "no match".
 */
final class RequiredLiteral {
    /** Unescaped characters outside the letters and digits that RE2 always takes as themselves. */
    private static final String PLAIN_PUNCTUATION = " /-_:=@,%#!~&'\"<>;`";

    private RequiredLiteral() {
    }

    /** The longest run of literal characters at the pattern's top level, or "" when there is none to rely on. */
    static String of(String regex) {
        if (hasConstructsNotModelled(regex)) {
            return "";
        }
        String longest = "";
        StringBuilder run = new StringBuilder();
        int i = 0;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '|') {
                return "";
            }
            if (c == '*' || c == '+' || c == '?' || c == '{') {
                // The quantifier makes the atom before it optional or repeated: when that atom is a literal
                // character it is the run's last (any other atom ended the run), and it is not reliably
                // next to its neighbours, so the run ends before it.
                if (run.length() > 0) {
                    run.setLength(run.length() - 1);
                }
                longest = longer(longest, run);
                run.setLength(0);
                i = c == '{' ? skipRepetition(regex, i) : i + 1;
                continue;
            }
            int literalWidth = literalWidth(regex, i);
            if (literalWidth > 0) {
                run.append(regex.charAt(i + literalWidth - 1));
                i += literalWidth;
                continue;
            }
            longest = longer(longest, run);
            run.setLength(0);
            if (c == '(') {
                i = skipGroup(regex, i);
            } else if (c == '[') {
                i = skipClass(regex, i);
            } else if (c == '\\') {
                i += 2;
            } else {
                i++;
            }
            if (i < 0) {
                return "";
            }
        }
        return longer(longest, run);
    }

    /**
     * Flags change what a character matches; quoting, POSIX classes and escapes longer than two
     * characters ({@code \p{Greek}}, {@code \x41}, octal) change how the source reads.
     */
    private static boolean hasConstructsNotModelled(String regex) {
        for (int i = regex.indexOf("(?"); i >= 0; i = regex.indexOf("(?", i + 1)) {
            if (i + 2 >= regex.length() || regex.charAt(i + 2) != ':') {
                return true;
            }
        }
        for (int i = regex.indexOf('\\'); i >= 0 && i + 1 < regex.length(); i = regex.indexOf('\\', i + 2)) {
            char escaped = regex.charAt(i + 1);
            if (escaped == 'Q' || escaped == 'p' || escaped == 'P' || escaped == 'x' || (escaped >= '0' && escaped <= '9')) {
                return true;
            }
        }
        return regex.contains("[:");
    }

    /**
     * How many source characters the literal character at {@code i} takes: 1 for a letter, digit or
     * plain punctuation, 2 for escaped punctuation ({@code \.}), 0 when it is not a literal character
     * (metacharacters, escapes such as {@code \d} or {@code \b}, anything outside ASCII).
     */
    private static int literalWidth(String regex, int i) {
        char c = regex.charAt(i);
        if (isAsciiLetterOrDigit(c) || PLAIN_PUNCTUATION.indexOf(c) >= 0) {
            return 1;
        }
        if (c == '\\' && i + 1 < regex.length()) {
            char escaped = regex.charAt(i + 1);
            return escaped < 0x80 && escaped > ' ' && !isAsciiLetterOrDigit(escaped) ? 2 : 0;
        }
        return 0;
    }

    /** Past a repetition such as {@code {2}} or {@code {2,5}}; a brace that starts none is passed alone. */
    private static int skipRepetition(String regex, int open) {
        int close = regex.indexOf('}', open);
        if (close > open && regex.substring(open + 1, close).matches("\\d+(,\\d*)?")) {
            return close + 1;
        }
        return open + 1;
    }

    /** Past the group opened at {@code open}, or -1 when it is not closed. */
    private static int skipGroup(String regex, int open) {
        int depth = 0;
        int i = open;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '[') {
                i = skipClass(regex, i);
                if (i < 0) {
                    return -1;
                }
            } else {
                if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    return i + 1;
                }
                i++;
            }
        }
        return -1;
    }

    /** Past the character class opened at {@code open} ({@code ]} first in it is a member), or -1 when it is not closed. */
    private static int skipClass(String regex, int open) {
        int i = open + 1;
        if (i < regex.length() && regex.charAt(i) == '^') {
            i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') {
            i++;
        }
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == ']') {
                return i + 1;
            } else {
                i++;
            }
        }
        return -1;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String longer(String longest, StringBuilder run) {
        return run.length() > longest.length() ? run.toString() : longest;
    }
}
