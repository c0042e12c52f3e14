package dev.toolgate.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The prefilter of {@code matches}: what it reads from a pattern, and that it never turns down a match. */
class RequiredLiteralTest {

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', emptyValue = "", value = {
            "\"(^|/)\\.env(\\.[A-Za-z0-9_-]+)?$\" | .env",
            "^/srv/                            | /srv/",
            "rm\\s+-rf                         | -rf",
            "drop table                        | drop table",
            "abc?def                           | def",
            "ab*                               | a",
            "a{2,3}bc                          | bc",
            "x[abc]yz                          | yz",
            "[]a]bcd                           | bcd",
            "\"(?:ab|cd)efg\"                  | efg",
            "\\$\\{[A-Z]+\\}                   | ${",
            "sk-[A-Za-z0-9]{20,}               | sk-",
            "a\\\\*b                           | a",
            "\"cat|dog\"                       | \"\"",
            "(?i)secret                        | \"\"",
            "\\Qa.b\\E                         | \"\"",
            "\\p{Greek}alpha                   | \"\"",
            "\\x41BC                           | \"\"",
            "[[:alpha:]]xyz                    | \"\"",
            "日本語                            | \"\"",
            ".*                                | \"\""})
    void readsTheLongestCertainRunAtTheTopLevel(String regex, String literal) {
        Pattern.compile(regex);

        assertThat(RequiredLiteral.of(regex)).isEqualTo(literal);
    }

    /**
     * Patterns and texts generated from the same pieces (fixed seed): every text RE2J matches holds
     * the pattern's literal. Fails if the prefilter would ever turn down a match.
     */
    @Test
    void everyMatchHoldsTheLiteral() {
        String[] atoms = {"a", "b", "ab", "c", "/", "-", ".", "\\.", "\\-", "\\/", "\\\\", "x", "[ab]", "[^a]", "[]a]", "[a-c]",
                "\\d", "\\w", "\\s", "\\b", "^", "$", " ", "(a|b)", "(?:ab|c)", "(a)?", "(b*)", "|", "{2}", "{1,2}", "?", "*", "+",
                "??", "*?", "(", ")", "[", "]", "\\[", "\\]", "{", "}", "1", "2", "_", ":"};
        String[] textPieces = {"a", "b", "c", "ab", "abc", "/", "-", ".", "\\", "x", "1", "22", "_", ":", " ", "[", "]", "{", "}",
                "é", "\n"};
        Random random = new Random(20261122);
        int patterns = 0;
        int withLiteral = 0;
        int matchesChecked = 0;
        while (patterns < 3_000) {
            StringBuilder source = new StringBuilder();
            for (int n = 1 + random.nextInt(7); n > 0; n--) {
                source.append(atoms[random.nextInt(atoms.length)]);
            }
            String regex = source.toString();
            Pattern pattern;
            try {
                pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException invalid) {
                continue;
            }
            patterns++;
            String literal = RequiredLiteral.of(regex);
            if (!literal.isEmpty()) {
                withLiteral++;
            }
            for (String text : texts(random, textPieces, regex)) {
                if (pattern.matcher(text).find()) {
                    matchesChecked++;
                    assertThat(text).as("text matched by %s", regex).contains(literal);
                }
            }
        }
        assertThat(withLiteral).as("patterns with a literal").isGreaterThan(500);
        assertThat(matchesChecked).as("matches checked").isGreaterThan(5_000);
    }

    /**
     * Texts likely to match: the pattern's characters without its syntax, the same with one character
     * left out or doubled (what optional and repeated atoms match), each between random pieces, and
     * random texts.
     */
    private static List<String> texts(Random random, String[] pieces, String regex) {
        String plain = regex.replaceAll("[\\\\^$()\\[\\]|?*+{}]", "");
        List<String> texts = new ArrayList<>();
        texts.add(plain);
        for (int i = 0; i < plain.length(); i++) {
            texts.add(plain.substring(0, i) + plain.substring(i + 1));
            texts.add(plain.substring(0, i + 1) + plain.substring(i));
        }
        for (int t = texts.size(); t > 0; t--) {
            texts.add(piece(random, pieces) + texts.get(random.nextInt(texts.size())) + piece(random, pieces));
        }
        for (int t = 0; t < 15; t++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                text.append(piece(random, pieces));
            }
            texts.add(text.toString());
        }
        return texts;
    }

    private static String piece(Random random, String[] pieces) {
        return pieces[random.nextInt(pieces.length)];
    }
}
