package dev.toolgate.proxy.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.toolgate.config.PolicyManifest;
import dev.toolgate.policy.Budget;
import dev.toolgate.policy.Rule;
import dev.toolgate.proxy.server.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a {@link PolicyManifest} in the shape of {@code toolgate.yaml}'s {@code policy} and
 * {@code rules} sections, as YAML (to paste into the file) or JSON; fields at their default are left out.
 */
public final class ManifestWriter {
    private ManifestWriter() {
    }

    public static String yaml(PolicyManifest manifest) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(200);
        return new Yaml(options).dump(tree(manifest));
    }

    public static String json(PolicyManifest manifest) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree(manifest));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a manifest of strings and lists is always JSON", e);
        }
    }

    private static Map<String, Object> tree(PolicyManifest manifest) {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("default", manifest.policy().defaultAction().wireName());
        policy.put("on_error", manifest.policy().onError().wireName());
        policy.put("blocked_tools", manifest.policy().blockedTools());
        List<Map<String, Object>> rules = new ArrayList<>();
        manifest.rules().forEach(rule -> rules.add(rule(rule)));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("policy", policy);
        root.put("rules", rules);
        return root;
    }

    private static Map<String, Object> rule(Rule rule) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", rule.id());
        if (!rule.description().isEmpty()) {
            out.put("description", rule.description());
        }
        if (rule.text() != null) {
            out.put("text", rule.text());
        }
        if (!(rule.judged() && rule.tools().equals(List.of("*")))) {
            out.put("tools", rule.tools());
        }
        if (rule.when() != null) {
            out.put("when", rule.when());
        }
        out.put("action", rule.action().wireName());
        if (rule.approverEmail() != null) {
            out.put("approver_email", rule.approverEmail());
        }
        if (rule.budget() != null) {
            Budget budget = rule.budget();
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("sum", budget.sum());
            section.put("per", budget.per().toSeconds() + "s");
            section.put("max", budget.max().toPlainString());
            section.put("scope", budget.scope().wireName());
            out.put("budget", section);
        }
        return out;
    }
}
