package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Imported policy manifests, kept for good, per workspace. All methods are blocking. */
public interface PolicyVersionStore {

    /** The workspace's versions, newest first. */
    List<PolicyVersion> list(String workspace);

    Optional<PolicyVersion> find(String workspace, String id);

    /**
     * Stores a new version numbered after the workspace's last one; a draft unless {@code appliedAt}
     * is set. Returns it as stored.
     */
    PolicyVersion create(String id, String workspace, String manifest, String rulesVersion, String restoredFrom,
                         Instant createdAt, String createdBy, Instant appliedAt);

    /** Marks a draft applied; false when there is no such draft. */
    boolean markApplied(String workspace, String id, Instant appliedAt, String appliedBy);
}
