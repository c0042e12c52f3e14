package dev.toolgate.proxy.notify;

import static dev.toolgate.proxy.notify.Html.escape;

/** The pieces of the HTML part. Inline styles only: mail clients drop style sheets. Every value is escaped here. */
final class EmailHtml {
    private EmailHtml() {
    }

    static String page(String title, String lead, String body) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head>\n"
                + "<body style=\"font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;max-width:640px\">\n"
                + "<h2 style=\"font-size:18px\">" + escape(title) + "</h2>\n"
                + "<p>" + escape(lead) + "</p>\n"
                + body
                + "</body></html>\n";
    }

    /** A two-column table of label/value pairs; empty values are left out. */
    static String facts(String... labelsAndValues) {
        StringBuilder table = new StringBuilder("<table style=\"border-collapse:collapse\">\n");
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            String value = labelsAndValues[i + 1];
            if (value == null || value.isBlank()) {
                continue;
            }
            table.append("<tr><th style=\"text-align:left;vertical-align:top;padding:2px 12px 2px 0\">")
                    .append(escape(labelsAndValues[i]))
                    .append("</th><td style=\"padding:2px 0;white-space:pre-wrap\">")
                    .append(escape(value))
                    .append("</td></tr>\n");
        }
        return table.append("</table>\n").toString();
    }

    static String arguments(String prettyArguments) {
        return "<p style=\"margin-bottom:4px\"><strong>Arguments</strong> (secrets redacted)</p>\n"
                + "<pre style=\"background:#f6f8fa;padding:12px;white-space:pre-wrap;word-break:break-all\">"
                + escape(prettyArguments) + "</pre>\n";
    }

    static String button(String label, String url, String color) {
        return "<a href=\"" + escape(url) + "\" style=\"display:inline-block;padding:10px 24px;border-radius:6px;"
                + "background:" + color + ";color:#ffffff;text-decoration:none;font-weight:600\">" + escape(label) + "</a>";
    }
}
