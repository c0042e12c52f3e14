package dev.toolgate.storage;

/**
 * The audit log's group commit as it stands, read without blocking, for metrics.
 *
 * @param queuedEvents appends waiting for the writer
 * @param commits group commits made since start (successful or not)
 * @param commitNanos time spent in those commits, in total
 */
public record AuditLogStats(int queuedEvents, long commits, long commitNanos) {
    public static final AuditLogStats NONE = new AuditLogStats(0, 0, 0);
}
