package dev.toolgate.proxy.gate;

import dev.toolgate.config.RiskConfig;
import dev.toolgate.config.RiskConfig.Sensitivity;
import dev.toolgate.config.RiskConfig.ToolCategory;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.policy.ToolGlob;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Scores the risk of one decided call from declared factors, each with a fixed weight; the score
 * is their sum, capped at 1. Runs for every call, on the decision path: no I/O, a few precompiled
 * expressions over the arguments' text (a destructive pattern only when the text holds the keyword
 * it requires), the tool's category memoised by name.
 *
 * <ul>
 *   <li>{@code tool_sensitivity}: the tool's category in the taxonomy; low 0, medium 0.1, high 0.2, critical 0.3</li>
 *   <li>{@code production_environment} 0.2: the request declares production, or the workspace or the
 *       arguments name a production marker as a word</li>
 *   <li>{@code protected_path} 0.2: the arguments mention a protected path (configured, or declared by the request)</li>
 *   <li>{@code destructive_pattern} 0.25: the arguments match a destructive command pattern</li>
 *   <li>{@code rule_matched}: what decided the call; block 0.3, approve 0.2, warn 0.1 (nothing for the policy default)</li>
 *   <li>{@code recent_blocks}: 0.05 per call of the same agent blocked in the last 15 minutes, at most 0.15</li>
 * </ul>
 */
public final class RiskScorer {
    public static final double PRODUCTION_WEIGHT = 0.2;
    public static final double PROTECTED_PATH_WEIGHT = 0.2;
    public static final double DESTRUCTIVE_WEIGHT = 0.25;
    public static final double RECENT_BLOCK_WEIGHT = 0.05;
    public static final double RECENT_BLOCKS_MAX = 0.15;
    private static final Map<Sensitivity, Double> SENSITIVITY_WEIGHTS = new EnumMap<>(Map.of(
            Sensitivity.LOW, 0.0, Sensitivity.MEDIUM, 0.1, Sensitivity.HIGH, 0.2, Sensitivity.CRITICAL, 0.3));
    private static final Map<Action, Double> RULE_WEIGHTS = new EnumMap<>(Map.of(
            Action.ALLOW, 0.0, Action.WARN, 0.1, Action.APPROVE, 0.2, Action.BLOCK, 0.3));
    private static final int MAX_MEMOISED_TOOLS = 10_000;

    private final RiskConfig config;
    private final List<CompiledCategory> categories;
    private final Map<String, Optional<CompiledCategory>> categoryByTool = new ConcurrentHashMap<>();
    private final Pattern productionMarker;
    private final List<Pattern> destructive;
    /** Per destructive pattern, lower-case text every match must contain, or null: most calls skip every pattern on a contains check. */
    private final List<String> destructiveLiterals;
    private final RecentBlocks recentBlocks;

    private record CompiledCategory(ToolCategory category, List<Pattern> tools) {
        boolean matches(String tool) {
            return tools.stream().anyMatch(pattern -> pattern.matcher(tool).matches());
        }
    }

    /** {@code recentBlocks}: null to leave that factor out. */
    public RiskScorer(RiskConfig config, RecentBlocks recentBlocks) {
        this.config = config;
        this.recentBlocks = recentBlocks;
        this.categories = config.categories().stream()
                .map(category -> new CompiledCategory(category, category.tools().stream()
                        .map(tool -> ToolGlob.compile(tool, Pattern.CASE_INSENSITIVE)).toList()))
                .toList();
        this.productionMarker = config.productionMarkers().isEmpty() ? null : Pattern.compile("(?<![a-z0-9])(?:"
                + config.productionMarkers().stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")(?![a-z0-9])",
                Pattern.CASE_INSENSITIVE);
        this.destructive = config.destructivePatterns().stream().map(regex -> Pattern.compile(regex, Pattern.CASE_INSENSITIVE)).toList();
        this.destructiveLiterals = config.destructivePatterns().stream().map(RiskScorer::requiredLiteral).toList();
    }

    public RiskConfig config() {
        return config;
    }

    /** The weight a sensitivity level adds. */
    public static double weightOf(Sensitivity sensitivity) {
        return SENSITIVITY_WEIGHTS.get(sensitivity);
    }

    /** The weight of the rule outcome that decided a call. */
    public static double weightOf(Action outcome) {
        return RULE_WEIGHTS.get(outcome);
    }

    /** The category of a tool in the taxonomy, if any. */
    public Optional<ToolCategory> categoryOf(String tool) {
        return compiledCategoryOf(tool).map(CompiledCategory::category);
    }

    /** The risk of {@code call}, decided as {@code decision}, made in {@code context}. */
    public RiskAssessment assess(ToolCall call, CallContext context, Decision decision) {
        List<RiskFactor> factors = new ArrayList<>(4);
        compiledCategoryOf(call.name()).ifPresent(compiled -> {
            ToolCategory category = compiled.category();
            double weight = weightOf(category.sensitivity());
            if (weight > 0) {
                factors.add(new RiskFactor("tool_sensitivity", weight,
                        "Tool category " + category.name() + " (" + category.sensitivity().wireName() + " sensitivity)"));
            }
        });
        // Arguments over the size limit are never read: only what does not need them counts.
        String arguments = ToolCallGate.OVERSIZED_ARGUMENTS_RULE.equals(decision.decidingRule()) ? "" : call.arguments();
        String production = production(context, arguments);
        if (production != null) {
            factors.add(new RiskFactor("production_environment", PRODUCTION_WEIGHT, "Production environment (" + production + ")"));
        }
        String path = protectedPath(context, arguments);
        if (path != null) {
            factors.add(new RiskFactor("protected_path", PROTECTED_PATH_WEIGHT, "Protected path '" + path + "' in the arguments"));
        }
        String pattern = destructivePattern(arguments);
        if (pattern != null) {
            factors.add(new RiskFactor("destructive_pattern", DESTRUCTIVE_WEIGHT,
                    "Destructive command in the arguments (pattern " + pattern + ")"));
        }
        String rule = decision.decidingRule();
        double ruleWeight = weightOf(decision.outcome());
        if (ruleWeight > 0 && rule != null && !rule.equals(RuleSet.DEFAULT_RULE)) {
            factors.add(new RiskFactor("rule_matched", ruleWeight,
                    "Rule " + rule + " decided " + decision.outcome().wireName()));
        }
        int blocks = recentBlocks == null ? 0 : recentBlocks.count(context.workspace(), context.agent());
        if (blocks > 0) {
            factors.add(new RiskFactor("recent_blocks", Math.min(RECENT_BLOCKS_MAX, blocks * RECENT_BLOCK_WEIGHT),
                    blocks + " blocked call(s) by this agent in the last " + RecentBlocks.WINDOW.toMinutes() + " minutes"));
        }
        if (factors.isEmpty()) {
            return RiskAssessment.NONE;
        }
        double sum = 0;
        for (RiskFactor factor : factors) {
            sum += factor.contribution();
        }
        return new RiskAssessment(Math.min(1.0, Math.round(sum * 100) / 100.0), factors);
    }

    /** Where production was seen, or null. */
    private String production(CallContext context, String arguments) {
        Map<String, Object> request = context.request();
        if (request.get("repo_context") instanceof Map<?, ?> repo && Boolean.TRUE.equals(repo.get("production_environment"))) {
            return "declared by the request";
        }
        if (productionMarker == null) {
            return null;
        }
        if (request.get("environment") instanceof String environment && productionMarker.matcher(environment).find()) {
            return "environment " + marker(environment);
        }
        if (productionMarker.matcher(context.workspace()).find()) {
            return "workspace " + context.workspace();
        }
        Matcher inArguments = productionMarker.matcher(arguments);
        return inArguments.find() ? "the arguments name '" + inArguments.group().toLowerCase() + "'" : null;
    }

    private String marker(String text) {
        Matcher matcher = productionMarker.matcher(text);
        return matcher.find() ? "'" + matcher.group().toLowerCase() + "'" : "";
    }

    private String protectedPath(CallContext context, String arguments) {
        if (arguments.isEmpty()) {
            return null;
        }
        for (String path : config.protectedPaths()) {
            if (mentions(arguments, path)) {
                return path;
            }
        }
        if (context.request().get("repo_context") instanceof Map<?, ?> repo && repo.get("protected_paths") instanceof List<?> declared) {
            for (Object path : declared) {
                if (path instanceof String text && !text.isBlank() && mentions(arguments, text)) {
                    return text;
                }
            }
        }
        return null;
    }

    private String destructivePattern(String arguments) {
        if (destructive.isEmpty() || arguments.isEmpty()) {
            return null;
        }
        String lowerCase = arguments.toLowerCase(Locale.ROOT);
        for (int i = 0; i < destructive.size(); i++) {
            String literal = destructiveLiterals.get(i);
            if ((literal == null || lowerCase.contains(literal)) && destructive.get(i).matcher(arguments).find()) {
                return config.destructivePatterns().get(i);
            }
        }
        return null;
    }

    /**
     * The longest run of letters that every match of {@code regex} must contain, lower-cased; null
     * when that is not plain to see (an alternation at the top, inline flags, a group). Letters
     * after a backslash ({@code \b}, {@code \s}), inside a character class, inside a group or
     * made optional by a quantifier are not required, so they are never taken.
     */
    static String requiredLiteral(String regex) {
        if (regex.contains("(?")) {
            return null;
        }
        String best = "";
        StringBuilder run = new StringBuilder();
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean letter = !inClass && depth == 0 && c < 128 && Character.isLetter(c);
            if (c == '\\') {
                i++;  // an escape: its character is never a literal we rely on
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return null;
            }
            if (letter && c != '\\') {
                run.append(Character.toLowerCase(c));
                continue;
            }
            boolean optionalLast = c == '?' || c == '*' || c == '{';
            if (optionalLast && run.length() > 0) {
                run.setLength(run.length() - 1);
            }
            if (run.length() > best.length()) {
                best = run.toString();
            }
            run.setLength(0);
        }
        if (run.length() > best.length()) {
            best = run.toString();
        }
        return best.isEmpty() ? null : best;
    }

    /** Whether {@code text} names {@code path} as a whole path element: {@code .env} in {@code /app/.env}, not in {@code .envrc}. */
    static boolean mentions(String text, String path) {
        int from = 0;
        while (true) {
            int at = text.indexOf(path, from);
            if (at < 0) {
                return false;
            }
            int end = at + path.length();
            boolean startsElement = at == 0 || !isNameChar(text.charAt(at - 1)) || path.charAt(0) == '/';
            boolean endsElement = end == text.length() || !isNameChar(text.charAt(end)) || path.charAt(path.length() - 1) == '/';
            if (startsElement && endsElement) {
                return true;
            }
            from = at + 1;
        }
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    private Optional<CompiledCategory> compiledCategoryOf(String tool) {
        Optional<CompiledCategory> cached = categoryByTool.get(tool);
        if (cached != null) {
            return cached;
        }
        Optional<CompiledCategory> found = categories.stream().filter(category -> category.matches(tool)).findFirst();
        if (categoryByTool.size() < MAX_MEMOISED_TOOLS) {
            categoryByTool.put(tool, found);
        }
        return found;
    }
}
