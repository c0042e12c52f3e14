package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * Which incidents to list: one workspace, optionally one status, severity and agent, opened within
 * [{@code since}, {@code until}); sorted on {@code sort}; {@code page} is 1-based and holds {@code limit}.
 */
public record IncidentQuery(String workspace, String status, IncidentSeverity severity, String agent, Instant since,
                            Instant until, Sort sort, boolean descending, int limit, int page) {
    public static final int MAX_LIMIT = 1000;

    /** The columns a list can be sorted on, as the API names them. */
    public enum Sort {
        OPENED_AT, UPDATED_AT, SEVERITY, SIGNAL_COUNT
    }

    public IncidentQuery {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(sort, "sort");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
        if (page < 1) {
            throw new IllegalArgumentException("page: " + page + " (expected: 1 or more)");
        }
    }

    /** Every incident of a workspace, newest first, first page of {@code limit}. */
    public static IncidentQuery newest(String workspace, int limit) {
        return new IncidentQuery(workspace, null, null, null, null, null, Sort.OPENED_AT, true, limit, 1);
    }

    public long offset() {
        return (long) (page - 1) * limit;
    }
}
