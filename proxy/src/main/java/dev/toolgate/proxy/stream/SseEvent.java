package dev.toolgate.proxy.stream;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event: its exact bytes as received (so an event passed through is byte for
 * byte what the upstream sent) and its parsed {@code event:} and {@code data:} fields.
 *
 * @param event the {@code event:} field, or null
 * @param data the {@code data:} lines joined with newlines, or null for an event without data
 *     (a comment or keep-alive)
 * @param raw the event's bytes including its terminating blank line
 */
public record SseEvent(String event, String data, byte[] raw) {

    /** An event the gateway writes itself, in the canonical {@code event:}/{@code data:} form. */
    public static SseEvent of(String event, String data) {
        StringBuilder text = new StringBuilder(data.length() + 32);
        if (event != null) {
            text.append("event: ").append(event).append('\n');
        }
        for (String line : data.split("\n", -1)) {
            text.append("data: ").append(line).append('\n');
        }
        text.append('\n');
        return new SseEvent(event, data, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A data-only event, as Chat Completions streams use. */
    public static SseEvent data(String data) {
        return of(null, data);
    }

    public boolean isDone() {
        return "[DONE]".equals(data);
    }

    /**
     * Whether {@code raw} ends where an event ends (with its blank line), so that whatever is
     * written next is read as a new event; false for a last event the upstream cut short.
     */
    public boolean endsEvent() {
        int end = raw.length;
        if (end == 0 || !isLineEnd(raw[end - 1])) {
            return false;
        }
        end -= end >= 2 && raw[end - 2] == '\r' && raw[end - 1] == '\n' ? 2 : 1;
        return end == 0 || isLineEnd(raw[end - 1]);
    }

    private static boolean isLineEnd(byte b) {
        return b == '\n' || b == '\r';
    }
}
