package dev.toolgate.storage;

import java.time.Instant;

/** A tool on a workspace's kill-switch list: blocked before any rule is evaluated. */
public record BlockedTool(String workspace, String tool, Instant createdAt, String createdBy) {
}
