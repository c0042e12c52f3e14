package dev.toolgate.policy.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.re2j.Pattern;
import dev.cel.common.exceptions.CelInvalidArgumentException;
import dev.cel.runtime.CelFunctionBinding;
import java.util.List;

/**
 * CEL's {@code matches} with compiled patterns kept. cel-java compiles the regular expression on
 * every evaluation (cel-go folds constant patterns; cel-java does not yet), which would make one
 * {@code matches} condition cost more than the rest of a decision. Same semantics as the built-in
 * overloads under the options rules are compiled with: RE2 syntax, partial match (search), an
 * invalid pattern is an evaluation error. Bounded, because a pattern may come from the arguments.
 * Text without the pattern's {@link RequiredLiteral} is turned down without running the matcher.
 */
final class CachedRegex {
    private static final int MAX_PATTERNS = 1_000;
    private static final Cache<String, Compiled> PATTERNS = Caffeine.newBuilder().maximumSize(MAX_PATTERNS).build();

    /** {@code literal}: text every match contains, "" when none is known. */
    private record Compiled(Pattern pattern, String literal) {
        boolean find(String text) {
            return (literal.isEmpty() || text.contains(literal)) && pattern.matcher(text).find();
        }
    }

    private CachedRegex() {
    }

    /** Replace the standard {@code matches(string, string)} and {@code string.matches(string)} overloads. */
    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("matches", String.class, String.class, CachedRegex::matches),
                CelFunctionBinding.from("matches_string", String.class, String.class, CachedRegex::matches));
    }

    static boolean matches(String text, String regex) {
        Compiled compiled = PATTERNS.getIfPresent(regex);
        if (compiled == null) {
            try {
                compiled = new Compiled(Pattern.compile(regex), RequiredLiteral.of(regex));
            } catch (RuntimeException invalid) {
                throw new CelInvalidArgumentException(invalid);
            }
            PATTERNS.put(regex, compiled);
        }
        return compiled.find(text);
    }

    /** Patterns held now; for tests. */
    static long cachedPatterns() {
        PATTERNS.cleanUp();
        return PATTERNS.estimatedSize();
    }
}
