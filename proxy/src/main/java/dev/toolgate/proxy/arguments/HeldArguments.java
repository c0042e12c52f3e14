package dev.toolgate.proxy.arguments;

/**
 * The arguments of a tool call held while its stream goes on, joined from their fragments, with
 * memory bounded by {@code maxBytes} of UTF-8: past it the text is dropped, never stored, and the
 * call can only be decided as too large (blocked unread by the gate). The one buffer the held calls
 * of every stream format (Chat Completions, Responses, Anthropic) keep their arguments in.
 */
public final class HeldArguments {
    private final long maxBytes;
    private StringBuilder text = new StringBuilder();
    private long bytes;
    /** Whether the arguments are the whole text one event stated ({@link #replace}), not fragments. */
    private boolean stated;

    public HeldArguments(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: a positive number of bytes)");
        }
        this.maxBytes = maxBytes;
    }

    /** Adds a fragment. */
    public void append(String fragment) {
        count(fragment);
        if (text != null) {
            text.append(fragment);
        }
    }

    /** Counts text the call holds elsewhere (its name) against the same limit, without storing it. */
    public void count(String elsewhere) {
        bytes += utf8Length(elsewhere);
        if (bytes > maxBytes) {
            text = null;
        }
    }

    /** The arguments as one event states them whole, in place of the fragments (unless already dropped). */
    public void replace(String whole) {
        if (text == null) {
            return;
        }
        if (utf8Length(whole) > maxBytes) {
            text = null;
        } else {
            text = new StringBuilder(whole);
            stated = true;
        }
    }

    /** Drops the arguments: the call holds more than it may (its events too), so it can only be blocked. */
    public void drop() {
        text = null;
    }

    /** True once the arguments passed the limit and were dropped. */
    public boolean dropped() {
        return text == null;
    }

    /** Whether the text came whole from one event rather than from fragments. */
    public boolean stated() {
        return stated;
    }

    /** The arguments so far; empty once dropped. */
    public String text() {
        return text == null ? "" : text.toString();
    }

    /** The arguments' length in UTF-8 bytes, without encoding them. */
    public static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** Whether {@code text} is longer than {@code limit} UTF-8 bytes, stopping as soon as it is. */
    public static boolean longerThan(String text, long limit) {
        if ((long) text.length() * 3 <= limit) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
            if (bytes > limit) {
                return true;
            }
        }
        return false;
    }
}
