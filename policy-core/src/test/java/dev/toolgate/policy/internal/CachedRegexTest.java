package dev.toolgate.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.runtime.CelEvaluationException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CachedRegexTest {

    @Test
    void conditionsUseTheCachingOverloadsBothAsMethodAndAsFunction() throws Exception {
        String marker = "m" + UUID.randomUUID().toString().replace("-", "");
        long before = CachedRegex.cachedPatterns();

        assertThat(holds("args.text.matches('" + marker + "1')", marker + "1 here")).isTrue();
        assertThat(holds("matches(args.text, '" + marker + "2')", "nothing")).isFalse();

        assertThat(CachedRegex.cachedPatterns()).isEqualTo(before + 2);
        holds("args.text.matches('" + marker + "1')", "again");
        assertThat(CachedRegex.cachedPatterns()).isEqualTo(before + 2);
    }

    @Test
    void matchesIsASearchAndAnchorsStillAnchor() {
        assertThat(CachedRegex.matches("sudo rm -rf /", "rm\\s+-rf")).isTrue();
        assertThat(CachedRegex.matches("sudo rm -rf /", "^rm\\s")).isFalse();
        assertThat(CachedRegex.matches("/srv/app/.env.local", "(^|/)\\.env(\\.[A-Za-z0-9_-]+)?$")).isTrue();
    }

    @Test
    void anInvalidPatternIsAnEvaluationErrorEveryTime() {
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> holds("args.text.matches(args.pattern)", "abc", "(unclosed"))
                    .isInstanceOf(CelEvaluationException.class)
                    .hasMessageContaining("(unclosed");
        }
    }

    private static boolean holds(String expression, String text) throws Exception {
        return holds(expression, text, "");
    }

    private static boolean holds(String expression, String text, String pattern) throws Exception {
        return CelConditions.compile(expression).test(Map.of("args", Map.of("text", text, "pattern", pattern)));
    }
}
