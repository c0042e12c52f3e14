package dev.toolgate.config;

import dev.toolgate.policy.Rule;
import java.util.List;

/**
 * A policy as code: the {@code policy} and {@code rules} sections of {@code toolgate.yaml} on their
 * own, as exported by and imported into the management API. Its rules compile together.
 */
public record PolicyManifest(PolicyConfig policy, List<Rule> rules) {
    public PolicyManifest {
        rules = List.copyOf(rules);
    }
}
