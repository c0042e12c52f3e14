package dev.toolgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code risk} section: what makes a tool call risky beyond the rule that decided it. The tool
 * taxonomy (categories of tools, each with a sensitivity), the words that mark a production
 * environment, the paths that are protected and the patterns of destructive commands. Every list
 * has built-in defaults ({@link #DEFAULTS}); see the README's "Risk score" section for the weights.
 *
 * @param categories the tool taxonomy in the order it is tried: the first category with a tool
 *     pattern matching the call's name is the call's
 * @param productionMarkers words that, found in a call's arguments, its workspace or its declared
 *     environment, mark a production environment ({@code prod}, {@code production})
 * @param protectedPaths paths whose mention in the arguments counts ({@code .env}, {@code .github})
 * @param destructivePatterns case-insensitive Java regular expressions of destructive commands, each known to compile
 */
public record RiskConfig(List<ToolCategory> categories, List<String> productionMarkers, List<String> protectedPaths,
                         List<String> destructivePatterns) {

    /** How sensitive a category of tools is; each level adds a fixed weight to the score. */
    public enum Sensitivity {
        LOW, MEDIUM, HIGH, CRITICAL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One category of the taxonomy.
     *
     * @param tools exact tool names or globs ({@code *pay*})
     * @param control what the operator recommends for calls of this category: allow, warn, escalate or block;
     *     shown by {@code GET /v1/runtime/tool-taxonomy}, never enforced (rules decide)
     */
    public record ToolCategory(String name, Sensitivity sensitivity, List<String> tools, String control) {
        public static final List<String> CONTROLS = List.of("allow", "warn", "escalate", "block");

        public ToolCategory {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sensitivity, "sensitivity");
            tools = List.copyOf(tools);
            if (!CONTROLS.contains(control)) {
                throw new IllegalArgumentException("control: " + control + " (expected one of: " + String.join(", ", CONTROLS) + ")");
            }
        }
    }

    /** The built-in taxonomy, tried after the operator's own categories. */
    public static final List<ToolCategory> BUILT_IN_CATEGORIES = List.of(
            new ToolCategory("payments", Sensitivity.CRITICAL,
                    List.of("*pay*", "*refund*", "*transfer*", "*charge*", "*invoice*", "*wire*"), "escalate"),
            new ToolCategory("data_deletion", Sensitivity.CRITICAL,
                    List.of("*delete*", "*drop*", "*truncate*", "*destroy*", "*purge*", "*remove*", "*wipe*"), "escalate"),
            new ToolCategory("deploy", Sensitivity.HIGH,
                    List.of("*deploy*", "*release*", "*rollout*", "*terraform*", "*kubectl*", "*helm*", "*migrate*"), "escalate"),
            new ToolCategory("shell", Sensitivity.HIGH,
                    List.of("*shell*", "*exec*", "*bash*", "*command*", "*terminal*", "run_*"), "warn"),
            new ToolCategory("email", Sensitivity.MEDIUM,
                    List.of("*email*", "*mail*", "*send_message*", "*slack*", "*sms*", "*notify*"), "warn"),
            new ToolCategory("write", Sensitivity.MEDIUM,
                    List.of("*write*", "*update*", "*create*", "*insert*", "*edit*", "*upload*"), "allow"),
            new ToolCategory("read_only", Sensitivity.LOW,
                    List.of("*read*", "*get*", "*list*", "*search*", "*fetch*", "*query*", "*lookup*", "*describe*"), "allow"));

    public static final List<String> DEFAULT_PRODUCTION_MARKERS = List.of("prod", "production", "prd");

    public static final List<String> DEFAULT_PROTECTED_PATHS = List.of(".env", ".git", ".github", ".ssh", "infra",
            "/etc", "secrets", "id_rsa", ".aws", ".kube");

    public static final List<String> DEFAULT_DESTRUCTIVE_PATTERNS = List.of(
            "\\brm\\s+-[a-z]*[rf]", "\\bdrop\\s+(table|database|schema)\\b", "\\btruncate\\s+(table\\s+)?\\w",
            "\\bdelete\\s+from\\b", "\\bterraform\\s+(apply|destroy)\\b", "\\bkubectl\\s+delete\\b",
            "\\bgit\\s+push\\s+(-f\\b|--force)", "\\bgit\\s+reset\\s+--hard\\b", "\\bmkfs\\b", "\\bdd\\s+if=",
            "\\bshutdown\\b", "-auto-approve\\b", "--force\\b");

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final RiskConfig DEFAULTS = new RiskConfig(BUILT_IN_CATEGORIES, DEFAULT_PRODUCTION_MARKERS,
            DEFAULT_PROTECTED_PATHS, DEFAULT_DESTRUCTIVE_PATTERNS);

    public RiskConfig {
        categories = List.copyOf(categories);
        productionMarkers = List.copyOf(productionMarkers);
        protectedPaths = List.copyOf(protectedPaths);
        destructivePatterns = List.copyOf(destructivePatterns);
    }

    /** The operator's categories first, then every built-in one they do not replace by name. */
    public static List<ToolCategory> withBuiltIns(List<ToolCategory> own) {
        List<ToolCategory> all = new ArrayList<>(own);
        for (ToolCategory builtIn : BUILT_IN_CATEGORIES) {
            if (own.stream().noneMatch(category -> category.name().equals(builtIn.name()))) {
                all.add(builtIn);
            }
        }
        return all;
    }
}
