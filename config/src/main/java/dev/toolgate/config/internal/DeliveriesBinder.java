package dev.toolgate.config.internal;

import dev.toolgate.config.DeliveriesConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Binds the {@code deliveries} section: webhook screening, evaluation interval, and targets defined in the file. */
final class DeliveriesBinder {
    static final List<String> KEYS = List.of("allow_private", "allow_hosts", "evaluate_every", "targets");
    private static final List<String> TARGET_KEYS = List.of("name", "workspace", "type", "url", "webhook_url", "to", "secret",
            "default_severity");
    /** Each type and the key naming where it goes. */
    private static final Map<String, String> DESTINATIONS = Map.of("email", "to", "slack", "webhook_url", "teams", "webhook_url",
            "webhook", "url");
    private static final ValueType<String> TYPE = ValueTypes.text("a delivery type (email, slack, teams or webhook)");
    private static final ValueType<String> SEVERITY = ValueTypes.text("a severity (low, medium, high or critical)");
    private static final String EXAMPLE = "{ name: ops-hook, type: webhook, url: https://ops.example.com/toolgate, secret: ${HOOK_SECRET} }";

    private final NodeReader reader;

    DeliveriesBinder(NodeReader reader) {
        this.reader = reader;
    }

    DeliveriesConfig bind(MappingReader section) {
        DeliveriesConfig defaults = DeliveriesConfig.DEFAULTS;
        boolean allowPrivate = section.get("allow_private", ValueTypes.BOOLEAN, defaults.allowPrivate());
        List<String> hosts = section.strings("allow_hosts", "a list of host names or CIDR ranges", "a host name or CIDR range", true);
        Duration every = section.get("evaluate_every", ValueTypes.DURATION, defaults.evaluateEvery());
        return new DeliveriesConfig(allowPrivate, hosts == null ? List.of() : hosts, every, targets(section));
    }

    private List<DeliveriesConfig.Target> targets(MappingReader section) {
        List<Node> entries = reader.sequence(section.node("targets"), section.path("targets"), "a list of targets such as " + EXAMPLE);
        List<DeliveriesConfig.Target> targets = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; entries != null && i < entries.size(); i++) {
            MappingReader entry = reader.mapping(entries.get(i), MappingReader.element(section.path("targets"), i), TARGET_KEYS);
            DeliveriesConfig.Target target = entry == null ? null : target(entry);
            if (target != null && !names.add(target.workspace() + "/" + target.name())) {
                reader.problems().add(entry.node("name"), entry.path("name"), "duplicate delivery target name '" + target.name() + "'");
            } else if (target != null) {
                targets.add(target);
            }
        }
        return targets;
    }

    private DeliveriesConfig.Target target(MappingReader entry) {
        String name = entry.require("name", ValueTypes.STRING);
        String type = entry.require("type", TYPE);
        String workspace = entry.get("workspace", ValueTypes.STRING, "default");
        String severity = entry.get("default_severity", SEVERITY, "medium");
        if (!List.of("low", "medium", "high", "critical").contains(severity)) {
            reader.problems().add(entry.node("default_severity"), entry.path("default_severity"),
                    severity + " (expected: low, medium, high or critical)");
        }
        if (name == null || type == null) {
            return null;
        }
        String key = DESTINATIONS.get(type);
        if (key == null) {
            reader.problems().add(entry.node("type"), entry.path("type"), type + " (expected: email, slack, teams or webhook)");
            return null;
        }
        String destination = entry.require(key, key.equals("to") ? ValueTypes.EMAIL : ValueTypes.WEBHOOK_URL);
        String secret = type.equals("webhook") ? entry.require("secret", ValueTypes.STRING) : null;
        return destination == null || type.equals("webhook") && secret == null ? null
                : new DeliveriesConfig.Target(workspace, name, type, destination, secret, severity);
    }
}
