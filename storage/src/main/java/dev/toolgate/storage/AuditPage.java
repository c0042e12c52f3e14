package dev.toolgate.storage;

import java.util.List;

/** One page of audit events, newest first, with the number of events matching the whole query. */
public record AuditPage(List<AuditEvent> events, long total, int page, int limit) {
    public AuditPage {
        events = List.copyOf(events);
    }
}
