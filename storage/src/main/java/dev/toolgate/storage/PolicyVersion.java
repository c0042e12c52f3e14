package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored policy manifest of a workspace.
 *
 * @param number 1, 2, 3... per workspace, in the order versions were stored
 * @param manifest the manifest as YAML (the {@code policy} and {@code rules} sections of {@code toolgate.yaml})
 * @param rulesVersion the policy version hash of the rules in force once it is applied
 * @param restoredFrom the id of the version this one restores, or null
 * @param appliedAt when it was applied; null for a draft
 */
public record PolicyVersion(String id, String workspace, int number, String manifest, String rulesVersion, String restoredFrom,
                            Instant createdAt, String createdBy, Instant appliedAt, String appliedBy) {
    public PolicyVersion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(rulesVersion, "rulesVersion");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public boolean draft() {
        return appliedAt == null;
    }
}
