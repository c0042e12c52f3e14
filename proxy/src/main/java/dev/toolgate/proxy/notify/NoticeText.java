package dev.toolgate.proxy.notify;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Wording shared by every channel: times, arguments, one-line values. */
final class NoticeText {
    private static final DateTimeFormatter READABLE =
            DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final ObjectWriter PRETTY = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private NoticeText() {
    }

    /** {@code Sunday 23 November 2025, 10:15 UTC (2025-11-23T10:15:30Z)}: readable, and exact for anyone who needs it. */
    static String time(Instant instant) {
        return READABLE.format(instant) + " (" + instant + ")";
    }

    /** Arguments as indented JSON; text that is not JSON (the redactor's fallback) is shown as it is. */
    static String prettyArguments(String redactedArguments) {
        if (redactedArguments == null || redactedArguments.isBlank()) {
            return "(none)";
        }
        try {
            JsonNode node = Json.MAPPER.readTree(redactedArguments);
            return node == null || node.isMissingNode() ? redactedArguments : PRETTY.writeValueAsString(node);
        } catch (IOException notJson) {
            return redactedArguments;
        }
    }

    /** Cuts {@code text} to {@code max} characters, saying how much was left out and where to see it all. */
    static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "\n… (" + (text.length() - end) + " more characters; the dashboard shows them all)";
    }

    /** A value fit for a subject or title: no line breaks or control characters, at most {@code max} characters. */
    static String oneLine(String text, int max) {
        String line = orEmpty(text).replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
        if (line.length() <= max) {
            return line;
        }
        int end = Character.isHighSurrogate(line.charAt(max - 1)) ? max - 1 : max;
        return line.substring(0, end) + "…";
    }

    /** Keeps a multi-line value inside the value column of the plain text emails ("Workspace: " is 11 wide). */
    static String column(String text) {
        return orEmpty(text).strip().replace("\n", "\n           ");
    }

    static String orEmpty(String text) {
        return text == null ? "" : text;
    }

    static String approvalTitle(String tool, String agent) {
        return "Approval needed: " + oneLine(tool, 100) + " by " + oneLine(agent, 100);
    }

    static String expiryTitle(String tool, String agent) {
        return "Approval expired: " + oneLine(tool, 100) + " by " + oneLine(agent, 100);
    }
}
