package dev.toolgate.policy.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.re2j.Pattern;
import dev.cel.common.exceptions.CelInvalidArgumentException;
import dev.cel.runtime.CelFunctionBinding;
import java.util.List;

/**
 * CEL's {@code matches} with compiled patterns kept. cel-java compiles the regular expression on
 * every evaluation (cel-go folds constant patterns; cel-java does not yet), which made one
 * {@code matches} condition cost more than the rest of a decision. Same semantics as the built-in
 * overloads under the options rules are compiled with: RE2 syntax, partial match (search), an
 * invalid pattern is an evaluation error. Bounded, because a pattern may come from the arguments.
 */
final class CachedRegex {
    private static final int MAX_PATTERNS = 1_000;
    private static final Cache<String, Pattern> PATTERNS = Caffeine.newBuilder().maximumSize(MAX_PATTERNS).build();

    private CachedRegex() {
    }

    /** Replace the standard {@code matches(string, string)} and {@code string.matches(string)} overloads. */
    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("matches", String.class, String.class, CachedRegex::matches),
                CelFunctionBinding.from("matches_string", String.class, String.class, CachedRegex::matches));
    }

    static boolean matches(String text, String regex) {
        Pattern pattern = PATTERNS.getIfPresent(regex);
        if (pattern == null) {
            try {
                pattern = Pattern.compile(regex);
            } catch (RuntimeException invalid) {
                throw new CelInvalidArgumentException(invalid);
            }
            PATTERNS.put(regex, pattern);
        }
        return pattern.matcher(text).find();
    }

    /** Patterns held now; for tests. */
    static long cachedPatterns() {
        PATTERNS.cleanUp();
        return PATTERNS.estimatedSize();
    }
}
