package dev.toolgate.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.common.CelValidationException;
import org.junit.jupiter.api.Test;

class CelConditionsTest {

    @Test
    void anExpressionCompiledBeforeIsNotCompiledAgain() throws Exception {
        String expression = "args.path.startsWith('/srv/compiled-once/')";

        assertThat(CelConditions.compile(expression)).isSameAs(CelConditions.compile(expression));
    }

    @Test
    void anExpressionThatDoesNotCompileFailsEveryTime() {
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> CelConditions.compile("args.path.startsWith(")).isInstanceOf(CelValidationException.class);
        }
    }
}
