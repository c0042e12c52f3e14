package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditQuery;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The WHERE clause for an {@link AuditQuery}'s filters and its parameters. Only fixed fragments
 * enter the SQL text; every value is bound.
 */
record AuditFilter(String where, Map<String, Object> parameters) {

    static AuditFilter of(AuditQuery query) {
        StringBuilder where = new StringBuilder("workspace = :workspace");
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("workspace", query.workspace());
        if (query.decision() != null) {
            where.append(" AND decision = :decision");
            parameters.put("decision", query.decision());
        }
        if (query.tool() != null) {
            where.append(" AND tool = :tool");
            parameters.put("tool", query.tool());
        }
        if (query.agent() != null) {
            where.append(" AND agent = :agent");
            parameters.put("agent", query.agent());
        }
        if (query.since() != null) {
            where.append(" AND event_time >= :since");
            parameters.put("since", query.since());
        }
        return new AuditFilter(where.toString(), parameters);
    }
}
