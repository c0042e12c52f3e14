package dev.toolgate.proxy.api;

import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.storage.AuditQuery;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;

/** The list parameters every list endpoint takes: {@code ?limit=&page=&status=&tool=&since=} (and {@code agent=} for the audit log). */
final class ListParams {
    static final Set<String> DECISIONS = Set.of("allowed", "warned", "blocked", "pending", "approved", "denied", "expired");

    private ListParams() {
    }

    static AuditQuery auditQuery(Exchange exchange) {
        String status = exchange.param("status");
        if (status != null && !DECISIONS.contains(status)) {
            throw invalid("status", status, "one of " + String.join(", ", DECISIONS.stream().sorted().toList()));
        }
        return new AuditQuery(exchange.principal().workspace(), status, blankToNull(exchange.param("tool")),
                blankToNull(exchange.param("agent")), since(exchange), limit(exchange), page(exchange));
    }

    static int limit(Exchange exchange) {
        return intParam(exchange, "limit", AuditQuery.DEFAULT_LIMIT, 1, AuditQuery.MAX_LIMIT);
    }

    static int page(Exchange exchange) {
        return intParam(exchange, "page", 1, 1, Integer.MAX_VALUE);
    }

    /** An ISO-8601 instant ({@code 2026-11-22T08:00:00Z}) or a date ({@code 2026-11-22}, midnight UTC). */
    static Instant since(Exchange exchange) {
        return instant(exchange, "since");
    }

    /** {@code ?until=}, in the form of {@link #since}; the range ends before it. */
    static Instant until(Exchange exchange) {
        return instant(exchange, "until");
    }

    private static Instant instant(Exchange exchange, String name) {
        String value = blankToNull(exchange.param(name));
        if (value == null) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw invalid(name, value, "an ISO-8601 time such as 2026-11-22T08:00:00Z, or a date such as 2026-11-22");
        }
    }

    static int intParam(Exchange exchange, String name, int fallback, int min, int max) {
        String value = blankToNull(exchange.param(name));
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw invalid(name, value, "a whole number from " + min + (max == Integer.MAX_VALUE ? " up" : " to " + max));
    }

    private static ApiError invalid(String name, String value, String expected) {
        return ApiError.badRequest("INVALID_PARAMETER", name + "=" + value + " (expected: " + expected + ")");
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
