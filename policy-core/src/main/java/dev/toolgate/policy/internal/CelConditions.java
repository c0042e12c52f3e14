package dev.toolgate.policy.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.checker.CelStandardDeclarations;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.CelStandardFunctions.StandardFunction;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL environment rule conditions are written in. Variables: {@code tool}, {@code agent},
 * {@code model}, {@code workspace} (strings), {@code args} and {@code request} (maps).
 */
public final class CelConditions {
    /** Bounds {@code all}/{@code exists}/{@code map} over huge argument lists: evaluation time stays bounded. */
    private static final int MAX_COMPREHENSION_ITERATIONS = 10_000;
    /** Compiled conditions are kept for this many distinct expressions, the least used dropped first (rules come from the API too). */
    private static final int MAX_REMEMBERED_CONDITIONS = 2_000;

    private static final Cel CEL = environment(SimpleType.BOOL);
    /** Budget sums: any result type, checked to be a number when evaluated (args are dyn, so most checks happen then). */
    private static final Cel AMOUNT_CEL = environment(SimpleType.DYN);

    private static Cel environment(CelType resultType) {
        return CelFactory.standardCelBuilder()
                .setOptions(CelOptions.current()
                        // JSON numbers arrive as int or double; `args.amount > 1000` must work for both.
                        .enableHeterogeneousNumericComparisons(true)
                        // cel-spec: matches() is a partial (search) match, as in RE2's PartialMatch.
                        .enableRegexPartialMatch(true)
                        .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
                        .build())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                // matches() with compiled patterns kept: the standard overloads compile on every call.
                .setStandardEnvironmentEnabled(false)
                .setStandardDeclarations(CelStandardDeclarations.newBuilder().build())
                .setStandardFunctions(CelStandardFunctions.newBuilder().excludeFunctions(StandardFunction.MATCHES).build())
                .addFunctionBindings(CachedRegex.bindings())
                .addVar("tool", SimpleType.STRING)
                .addVar("agent", SimpleType.STRING)
                .addVar("model", SimpleType.STRING)
                .addVar("workspace", SimpleType.STRING)
                .addVar("args", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("request", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .setResultType(resultType)
            .build();
    }

    /**
     * Every workspace with rules of its own compiles the configured rules again, and so does each
     * rule added through the API; compiling a CEL expression takes milliseconds, looking it up does not.
     * Sound because the environment never changes.
     */
    private static final Cache<String, Condition> COMPILED = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED_CONDITIONS).build();

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
            // A resolver reads the map as it is; eval(Map) copies it into a new immutable map on every call.
            Object result = program.eval(name -> Optional.ofNullable(variables.get(name)));
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

    /** A compiled budget sum ({@code budget.sum}); thread-safe and reusable. */
    public static final class Amount {
        private final CelRuntime.Program program;

        private Amount(CelRuntime.Program program) {
            this.program = program;
        }

        /** The amount one call spends: a finite number, never negative; throws saying why otherwise. */
        public BigDecimal value(Map<String, Object> variables) throws CelEvaluationException {
            Object result = program.eval(name -> Optional.ofNullable(variables.get(name)));
            BigDecimal amount;
            if (result instanceof Long || result instanceof Integer) {
                amount = BigDecimal.valueOf(((Number) result).longValue());
            } else if (result instanceof Double number && Double.isFinite(number)) {
                amount = BigDecimal.valueOf(number);
            } else if (result instanceof Number unsigned && !(result instanceof Double)) {
                amount = new BigDecimal(unsigned.toString());  // CEL's uint
            } else {
                throw new IllegalStateException("budget sum returned " + Condition.describe(result) + ", expected a number");
            }
            if (amount.signum() < 0) {
                throw new IllegalStateException("budget sum returned " + amount.toPlainString() + ", expected a number of at least 0");
            }
            return amount;
        }
    }

    /** Compiles and type-checks a budget sum; the exception message is CEL's, with position. Thread-safe. */
    public static Amount compileAmount(String expression) throws CelValidationException, CelEvaluationException {
        CelAbstractSyntaxTree ast = AMOUNT_CEL.compile(expression).getAst();
        return new Amount(AMOUNT_CEL.createProgram(ast));
    }

    /** Compiles and type-checks an expression; the exception message is CEL's, with position. Thread-safe. */
    public static Condition compile(String expression) throws CelValidationException, CelEvaluationException {
        Condition known = COMPILED.getIfPresent(expression);
        if (known != null) {
            return known;
        }
        CelValidationResult result = CEL.compile(expression);
        CelAbstractSyntaxTree ast = result.getAst();
        Condition condition = new Condition(CEL.createProgram(ast));
        COMPILED.put(expression, condition);
        return condition;
    }
}
