package dev.toolgate.config.internal;

import dev.toolgate.config.PolicyConfig;
import dev.toolgate.config.PolicyManifest;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Binds a policy manifest with the binders of {@code toolgate.yaml} ({@link ConfigBinder#policy},
 * {@link RulesBinder}), so a manifest is refused with exactly the problems the file loader reports.
 */
public final class ManifestBinder {
    /** The sections a manifest may hold: those it shares with {@code toolgate.yaml}. */
    public static final List<String> SECTIONS = List.of("policy", "rules");

    private ManifestBinder() {
    }

    /**
     * The manifest in {@code text} (YAML, or JSON which is YAML too); null with {@code problems}
     * filled when anything is wrong. {@code ${VAR}} references are not filled in: a manifest comes
     * from a caller, not from the operator's environment.
     */
    public static PolicyManifest bind(String text, Problems problems) {
        Node root = YamlSource.compose(text, problems);
        if (!problems.isEmpty()) {
            return null;
        }
        if (root == null) {
            problems.addUnlocated("the manifest is empty (expected: policy and rules sections, as in toolgate.yaml)");
            return null;
        }
        NodeReader reader = new NodeReader(problems, new Interpolator(Map.of()));
        MappingReader file = reader.mapping(root, "", SECTIONS);
        if (file == null) {
            return null;
        }
        PolicyConfig policy = ConfigBinder.policy(file.section("policy", ConfigBinder.POLICY_KEYS));
        RulesBinder.Bound rules = new RulesBinder(reader).bind(file, policy.defaults());
        // Compiled even after other problems, as the config loader does: bad conditions are reported with the rest.
        boolean compiled = rules.compile() != null;
        return compiled && problems.isEmpty() ? new PolicyManifest(policy, rules.rules()) : null;
    }
}
