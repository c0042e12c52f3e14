package dev.toolgate.storage;

import java.time.Instant;

/** An alert rule as stored: {@code condition} a JSON object, {@code deliveryTargets} a JSON array of target ids. */
public record StoredAlertRule(String id, String workspace, String name, String condition, String deliveryTargets,
                              String severity, Instant createdAt) {
}
