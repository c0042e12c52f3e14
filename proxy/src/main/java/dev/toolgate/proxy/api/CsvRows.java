package dev.toolgate.proxy.api;

import dev.toolgate.storage.AuditEvent;
import java.util.List;

/** Audit events as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break). */
public final class CsvRows {
    /** The header line, CRLF included. */
    public static final String HEADER = String.join(",", List.of("time", "id", "workspace", "agent", "source", "tool",
            "tool_call_id", "status", "rules", "reasons", "risk_score", "approval_id", "policy_version", "model",
            "upstream_status", "overhead_micros", "decided_by", "arguments")) + "\r\n";

    private CsvRows() {
    }

    /** One event as a CSV line, CRLF included. */
    public static String row(AuditEvent e) {
        StringBuilder line = new StringBuilder(256);
        append(line, e.time().toString());
        append(line, e.eventId());
        append(line, e.workspace());
        append(line, e.agent());
        append(line, e.source());
        append(line, e.tool());
        append(line, e.toolCallId());
        append(line, e.decision());
        append(line, String.join(";", e.rules()));
        append(line, String.join("; ", e.reasons()));
        append(line, Double.toString(e.riskScore()));
        append(line, e.approvalId());
        append(line, e.policyVersion());
        append(line, e.model());
        append(line, e.upstreamStatus() == null ? "" : e.upstreamStatus().toString());
        append(line, Long.toString(e.overheadMicros()));
        append(line, e.decidedBy());
        append(line, e.arguments());
        line.setLength(line.length() - 1);
        return line.append("\r\n").toString();
    }

    private static void append(StringBuilder line, String value) {
        line.append(field(value)).append(',');
    }

    static String field(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String safe = neutraliseFormula(value);
        boolean quote = safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\n') >= 0 || safe.indexOf('\r') >= 0;
        return quote ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
    }

    /**
     * A model chooses tool names and arguments: a cell starting with = + - @ would run as a formula
     * in a spreadsheet, so it is prefixed with an apostrophe (OWASP CSV injection).
     */
    private static String neutraliseFormula(String value) {
        char first = value.charAt(0);
        boolean formula = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
        return formula ? "'" + value : value;
    }
}
