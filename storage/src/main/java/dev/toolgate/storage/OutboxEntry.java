package dev.toolgate.storage;

import java.time.Instant;

/**
 * A message queued for one target, with a copy of the target's type, config and secret so that it
 * is delivered as it was queued.
 */
public record OutboxEntry(String id, String targetName, String targetType, String targetConfig, String signingSecret,
                          String payload, int attempts, Instant nextAttemptAt, Instant createdAt) {
}
