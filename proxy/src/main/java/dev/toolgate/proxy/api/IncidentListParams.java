package dev.toolgate.proxy.api;

import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.storage.Incident;
import dev.toolgate.storage.IncidentQuery;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The incident list's parameters, as the ops API seed has them: {@code status}, {@code severity},
 * {@code agent}, {@code since}/{@code until} (opened in that range), {@code page} and {@code limit}
 * (default 25, at most 100), {@code sort} as {@code field}, {@code -field} or {@code field:asc|desc};
 * and the answer's RFC 8288 {@code Link} header with {@code first}, {@code prev}, {@code next} and
 * {@code last}, each the same query on another page.
 */
final class IncidentListParams {
    static final int DEFAULT_LIMIT = 25;
    static final int MAX_LIMIT = 100;

    private IncidentListParams() {
    }

    static IncidentQuery query(Exchange exchange) {
        String status = ListParams.blankToNull(exchange.param("status"));
        if (status != null && !status.equals(Incident.OPEN) && !status.equals(Incident.RESOLVED)) {
            throw ApiError.badRequest("INVALID_PARAMETER", "status=" + status + " (expected: open or resolved)");
        }
        String severity = ListParams.blankToNull(exchange.param("severity"));
        String sort = ListParams.blankToNull(exchange.param("sort"));
        boolean descending = true;
        IncidentQuery.Sort column = IncidentQuery.Sort.OPENED_AT;
        if (sort != null) {
            String field = sort;
            if (field.startsWith("-")) {
                field = field.substring(1);
            } else if (field.endsWith(":desc")) {
                field = field.substring(0, field.length() - ":desc".length());
            } else {
                descending = false;
                field = field.endsWith(":asc") ? field.substring(0, field.length() - ":asc".length()) : field;
            }
            column = column(sort, field);
        }
        return new IncidentQuery(exchange.principal().workspace(), status,
                severity == null ? null : IncidentsEndpoints.severity(severity), ListParams.blankToNull(exchange.param("agent")),
                ListParams.since(exchange), ListParams.until(exchange), column, descending,
                ListParams.intParam(exchange, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT), ListParams.page(exchange));
    }

    private static IncidentQuery.Sort column(String sort, String field) {
        for (IncidentQuery.Sort column : IncidentQuery.Sort.values()) {
            if (column.name().toLowerCase(Locale.ROOT).equals(field)) {
                return column;
            }
        }
        throw ApiError.badRequest("INVALID_PARAMETER", "sort=" + sort
                + " (expected: opened_at, updated_at, severity or signal_count, as field, -field or field:asc|desc)");
    }

    /** {@code Link} and {@code X-Total-Count} for the page {@code query} asked for. */
    static Map<String, String> pageHeaders(Exchange exchange, IncidentQuery query, long total) {
        long lastPage = Math.max(1, (total + query.limit() - 1) / query.limit());
        List<String> links = new ArrayList<>();
        links.add(link(exchange, 1, "first"));
        if (query.page() > 1) {
            links.add(link(exchange, Math.min(query.page() - 1, lastPage), "prev"));
        }
        if (query.page() < lastPage) {
            links.add(link(exchange, query.page() + 1, "next"));
        }
        links.add(link(exchange, lastPage, "last"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Link", String.join(", ", links));
        headers.put("X-Total-Count", Long.toString(total));
        return headers;
    }

    private static String link(Exchange exchange, long page, String rel) {
        QueryStringEncoder target = new QueryStringEncoder(exchange.path());
        exchange.query().parameters().forEach((name, values) -> {
            if (!name.equals("page")) {
                values.forEach(value -> target.addParam(name, value));
            }
        });
        target.addParam("page", Long.toString(page));
        return "<" + target + ">; rel=\"" + rel + "\"";
    }
}
