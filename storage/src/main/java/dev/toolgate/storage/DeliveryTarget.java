package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * Where alerts go: an email address, a Slack or Teams webhook, or a generic webhook signed with
 * {@code signingSecret}. {@code config} is the JSON object the API was given ({@code url},
 * {@code webhook_url} or {@code to}).
 */
public record DeliveryTarget(String id, String workspace, String name, String type, String config, String signingSecret,
                             String defaultSeverity, Instant createdAt, Instant updatedAt) {
    public DeliveryTarget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(defaultSeverity, "defaultSeverity");
    }
}
