package dev.toolgate.policy.internal;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;

/**
 * The CEL environment rule conditions are written in. Variables: {@code tool}, {@code agent},
 * {@code model}, {@code workspace} (strings), {@code args} and {@code request} (maps).
 */
public final class CelConditions {
    /** Bounds {@code all}/{@code exists}/{@code map} over huge argument lists: evaluation time stays bounded. */
    private static final int MAX_COMPREHENSION_ITERATIONS = 10_000;

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current()
                    // JSON numbers arrive as int or double; `args.amount > 1000` must work for both.
                    .enableHeterogeneousNumericComparisons(true)
                    // cel-spec: matches() is a partial (search) match, as in RE2's PartialMatch.
                    .enableRegexPartialMatch(true)
                    .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
                    .build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("tool", SimpleType.STRING)
            .addVar("agent", SimpleType.STRING)
            .addVar("model", SimpleType.STRING)
            .addVar("workspace", SimpleType.STRING)
            .addVar("args", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("request", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();

    private CelConditions() {
    }

    /** A compiled condition; thread-safe and reusable. */
    public static final class Condition {
        private final CelRuntime.Program program;

        private Condition(CelRuntime.Program program) {
            this.program = program;
        }

        /** True when the condition holds; throws with CEL's message on any runtime error. */
        public boolean test(Map<String, Object> variables) throws CelEvaluationException {
            Object result = program.eval(variables);
            if (result instanceof Boolean holds) {
                return holds;
            }
            // Reachable through dyn values (args.flag == "yes" used as a condition): say so plainly.
            throw new IllegalStateException("condition returned " + describe(result) + ", expected a bool");
        }

        private static String describe(Object value) {
            return value == null ? "null" : value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Compiles and type-checks an expression; the exception message is CEL's, with position. */
    public static Condition compile(String expression) throws CelValidationException, CelEvaluationException {
        CelValidationResult result = CEL.compile(expression);
        CelAbstractSyntaxTree ast = result.getAst();
        return new Condition(CEL.createProgram(ast));
    }
}
