package dev.toolgate.proxy.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.storage.PendingApproval;
import dev.toolgate.storage.StandingApproval;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The small HTML pages behind one-click links. Every value is escaped, nothing is loaded from
 * elsewhere, and the pages cannot be framed or leak the link in a Referer header.
 */
final class ApprovalPages {
    private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final String STYLE = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}"
            + "table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.3rem .8rem .3rem 0;vertical-align:top}"
            + "pre{background:#f6f8fa;padding:.8rem;overflow:auto;white-space:pre-wrap}"
            + "button{font-size:1.1rem;padding:.6rem 1.4rem;border:0;border-radius:6px;color:#fff;cursor:pointer}"
            + ".approve{background:#1f883d}.deny{background:#cf222e}"
            + "fieldset{margin:1rem 0;border:1px solid #d0d7de;border-radius:6px}label{display:block;margin:.4rem 0}"
            + "textarea{width:100%;min-height:4rem;font-family:monospace}";

    private final Redactor redactor;

    ApprovalPages(Redactor redactor) {
        this.redactor = redactor;
    }

    /** The page a link opens in confirm mode: the facts, and one button that POSTs the decision. */
    FullHttpResponse confirm(PendingApproval approval, String ruleText, String action) {
        boolean approve = action.equals("approve");
        String title = approve ? "Approve this tool call?" : "Deny this tool call?";
        String body = "<h1>" + escape(title) + "</h1>" + facts(approval, ruleText)
                + "<form method=\"post\">" + (approve ? standingFields() : "")
                + "<button type=\"submit\" class=\"" + (approve ? "approve" : "deny") + "\">"
                + (approve ? "Approve" : "Deny") + "</button></form>"
                + "<p>Nothing is decided until you press the button.</p>";
        return page(HttpResponseStatus.OK, title, body);
    }

    /** Optional fields that make the approval stand for a while (see {@link StandingApprovals}); left empty, it is this call only. */
    private static String standingFields() {
        return "<fieldset><legend>Optional: also allow the same tool for this agent</legend>"
                + "<label>for <input type=\"number\" name=\"standing_minutes\" min=\"1\" max=\"" + StandingApprovals.MAX_MINUTES
                + "\"> minutes</label>"
                + "<label>at most <input type=\"number\" name=\"standing_calls\" min=\"1\" max=\"" + StandingApprovals.MAX_CALLS
                + "\"> calls (empty: no limit until it expires)</label>"
                + "<label>within these argument bounds (JSON, e.g. <code>{\"amount\":{\"max\":1000}}</code>; empty: the same"
                + " arguments only; arguments not named keep their values)<textarea name=\"standing_bounds\"></textarea></label>"
                + "</fieldset>";
    }

    /** The standing approval asked for does not fit: nothing was decided. */
    FullHttpResponse invalidStanding(String message) {
        return page(HttpResponseStatus.BAD_REQUEST, "Check the standing approval",
                "<h1>Nothing was decided</h1><p>" + escape(message) + "</p><p>Go back, correct it or leave it empty, and press the button again.</p>");
    }

    FullHttpResponse decided(PendingApproval approval, String ruleText, StandingApproval grant) {
        if (grant == null) {
            return decided(approval, ruleText);
        }
        String standing = "The same tool is also allowed for " + grant.agent() + " until " + readable(grant.expiresAt())
                + (grant.maxCalls() != null ? ", at most " + grant.maxCalls() + " call(s)" : "")
                + " (standing approval " + grant.id() + "; an admin can revoke it).";
        return page(HttpResponseStatus.OK, "Approved", "<h1>Approved</h1><p>" + escape("The agent's next retry runs this exact call, once.")
                + "</p><p>" + escape(standing) + "</p>" + facts(approval, ruleText));
    }

    FullHttpResponse decided(PendingApproval approval, String ruleText) {
        boolean approved = approval.status().value().equals("approved");
        String title = approved ? "Approved" : "Denied";
        String next = approved
                ? "The agent's next retry runs this exact call, once."
                : "The call stays blocked; the agent is told it was denied by an approver.";
        return page(HttpResponseStatus.OK, title, "<h1>" + title + "</h1><p>" + escape(next) + "</p>" + facts(approval, ruleText));
    }

    /** A link that can no longer decide anything, and why. */
    FullHttpResponse dead(PendingApproval approval, String ruleText, Instant now) {
        String why;
        switch (approval.status()) {
            case PENDING:
                why = approval.expiresAt().isAfter(now) ? "This link was already used." : "This request has expired.";
                break;
            case EXPIRED:
                why = "This request expired unanswered at " + readable(approval.decidedAt()) + "; it counts as denied.";
                break;
            default:
                why = "This request was already " + approval.status().value()
                        + (approval.decidedBy() != null ? " by " + approval.decidedBy() : "")
                        + (approval.decidedAt() != null ? " on " + readable(approval.decidedAt()) : "") + ".";
        }
        return page(HttpResponseStatus.GONE, "Link no longer valid",
                "<h1>This link can no longer be used</h1><p>" + escape(why) + "</p>" + facts(approval, ruleText));
    }

    FullHttpResponse unknown() {
        return page(HttpResponseStatus.NOT_FOUND, "Unknown link",
                "<h1>Unknown link</h1><p>This approval link does not exist. Check that it was copied whole.</p>");
    }

    FullHttpResponse unavailable() {
        return page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Try again",
                "<h1>Try again in a moment</h1><p>The gateway could not reach its storage. Nothing was decided.</p>");
    }

    private String facts(PendingApproval approval, String ruleText) {
        return "<table>"
                + row("Tool", approval.tool())
                + row("Agent", approval.agent())
                + row("Workspace", approval.workspace())
                + row("Rule", approval.ruleId() == null ? "" : approval.ruleId() + (ruleText.isEmpty() ? "" : ": " + ruleText))
                + row("Requested", readable(approval.createdAt()))
                + row("Expires", readable(approval.expiresAt()))
                + "</table><h2>Arguments</h2><pre>" + escape(prettyRedacted(approval.arguments())) + "</pre>";
    }

    private String prettyRedacted(String arguments) {
        JsonNode node = redactor.redactedTree(arguments);
        return node.isTextual() ? node.textValue() : node.toPrettyString();
    }

    private static String row(String label, String value) {
        return "<tr><th>" + escape(label) + "</th><td>" + escape(value) + "</td></tr>";
    }

    private static String readable(Instant time) {
        return time == null ? "" : READABLE.format(time);
    }

    private static FullHttpResponse page(HttpResponseStatus status, String title, String body) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                + "<title>" + escape(title) + " · Toolgate</title><style>" + STYLE + "</style></head><body>"
                + body + "</body></html>";
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(html.getBytes(StandardCharsets.UTF_8)));
        secureHeaders(response.headers());
        return response;
    }

    static void secureHeaders(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        headers.set("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    static String escape(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
