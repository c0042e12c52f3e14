package dev.toolgate.proxy.openai.chat;

import dev.toolgate.proxy.stream.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A look at a Chat Completions chunk's bytes without building a JSON tree, for the chunks most of
 * a stream is made of: text deltas. It answers only for an event that is one {@code data:} line
 * that certainly carries no call (no {@code tool_calls} or {@code function_call} anywhere in it,
 * no unicode escape, which alone could spell one) and that it reads completely as strict JSON of
 * the usual shape: an object whose {@code choices} is an array of objects. For anything else it
 * cannot tell, and the chunk is parsed as before: when in doubt, parse.
 *
 * <p>It reads the bytes the client receives, not their decoded text: JSON's structure is ASCII, and
 * a UTF-8 sequence never contains an ASCII byte, so the two read alike.
 */
final class ChatChunkScan {
    /** The answer when the scan cannot tell. */
    static final long UNKNOWN = -1;
    /** Choices with text are answered as bits of a long; a higher index cannot tell. */
    private static final int MAX_CHOICE = 62;
    /** Deeper values are left to the parser, which has limits of its own. */
    private static final int MAX_DEPTH = 64;
    private static final int MAX_NUMBER_LENGTH = 100;
    /** Shapes are kept for chunks up to this size; a larger chunk is read in full. */
    private static final int MAX_SHAPE_BYTES = 4096;
    private static final byte[] TOOL = "tool".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CALLS = "calls".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FUNCTION = "function".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CALL = "call".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHOICES = "choices".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INDEX = "index".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DELTA = "delta".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT = "content".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    /** Bytes a string's scan stops at: the quote, the backslash, control characters, and the underscore of a call's name. */
    private static final boolean[] STOPS_STRING = new boolean[256];

    static {
        for (int b = 0; b < 0x20; b++) {
            STOPS_STRING[b] = true;
        }
        STOPS_STRING['"'] = true;
        STOPS_STRING['\\'] = true;
        STOPS_STRING['_'] = true;
    }

    private byte[] bytes;
    private int end;
    private int at;
    private int keyStart;
    private int keyEnd;
    /** The delta.content strings the scan met in this chunk, and where the last one is (its quotes). */
    private int contents;
    private int contentOpen;
    private int contentClose;
    private int contentChoice;

    /**
     * The last chunk read in full that had one content string: its data, where that string is and
     * whose choice it is. A chunk that differs from it only inside that string has its shape, and
     * only the string needs reading: most of a stream is such chunks.
     */
    private byte[] shape;
    private int shapeOpen;
    private int shapeClose;
    private long shapeChoice;

    /**
     * For an event that certainly carries no call: which choices have text in their delta (a
     * non-blank {@code delta.content} string), bit {@code i} for choice index {@code i} (its
     * {@code index}, or its position when it has none). {@link #UNKNOWN} when the event might
     * concern a call or is not a plain chunk.
     */
    long textChoices(SseEvent event) {
        byte[] raw = event.raw();
        // The LF of a CRLF that ended the previous event, then "data:" and an optional space.
        int from = raw.length > 0 && raw[0] == '\n' ? 1 : 0;
        if (!startsWith(raw, from, "data:")) {
            return UNKNOWN;
        }
        from += 5;
        if (from < raw.length && raw[from] == ' ') {
            from++;
        }
        // The data runs to the line ends the event ends with; a line end before them, which
        // would make more lines of it, the scan refuses as it refuses any control character.
        int to = raw.length;
        while (to > from && (raw[to - 1] == '\n' || raw[to - 1] == '\r')) {
            to--;
        }
        bytes = raw;
        end = to;
        long known = sameShape(from);
        if (known != UNKNOWN) {
            return known;
        }
        at = from;
        contents = 0;
        long textChoices = chunk();
        if (textChoices != UNKNOWN && contents == 1 && contentChoice <= MAX_CHOICE && to - from <= MAX_SHAPE_BYTES) {
            shape = Arrays.copyOfRange(raw, from, to);
            shapeOpen = contentOpen - from;
            shapeClose = contentClose - from;
            shapeChoice = 1L << contentChoice;
        }
        return textChoices;
    }

    /**
     * The answer for data that is the last shape's bytes up to its content string and from the
     * end of that string on, with any readable string between: the same chunk but for its text.
     */
    private long sameShape(int from) {
        if (shape == null || end - from < shapeOpen + 1 + shape.length - shapeClose
                || !Arrays.equals(bytes, from, from + shapeOpen + 1, shape, 0, shapeOpen + 1)) {
            return UNKNOWN;
        }
        at = from + shapeOpen;
        int hasText = stringHasText();
        if (hasText < 0) {
            return UNKNOWN;
        }
        int close = at - 1;
        if (end - close != shape.length - shapeClose || !Arrays.equals(bytes, close, end, shape, shapeClose, shape.length)) {
            return UNKNOWN;
        }
        return hasText == 1 ? shapeChoice : 0;
    }

    private long chunk() {
        whitespace();
        if (!take('{')) {
            return UNKNOWN;
        }
        long textChoices = UNKNOWN;
        whitespace();
        if (!take('}')) {
            do {
                whitespace();
                if (!key()) {
                    return UNKNOWN;
                }
                if (isKey(CHOICES)) {
                    if (textChoices != UNKNOWN) {
                        return UNKNOWN;
                    }
                    textChoices = choices();
                    if (textChoices == UNKNOWN) {
                        return UNKNOWN;
                    }
                } else if (!value(1)) {
                    return UNKNOWN;
                }
                whitespace();
            } while (take(','));
            if (!take('}')) {
                return UNKNOWN;
            }
        }
        whitespace();
        return at == end ? textChoices : UNKNOWN;
    }

    private long choices() {
        if (!take('[')) {
            return UNKNOWN;
        }
        whitespace();
        if (take(']')) {
            return 0;
        }
        long textChoices = 0;
        int position = 0;
        do {
            whitespace();
            long choice = choice(position++);
            if (choice == UNKNOWN) {
                return UNKNOWN;
            }
            textChoices |= choice;
            whitespace();
        } while (take(','));
        return take(']') ? textChoices : UNKNOWN;
    }

    /** One choice: its bit when its delta has text, 0 when it has none. */
    private long choice(int position) {
        if (!take('{')) {
            return UNKNOWN;
        }
        int index = -1;
        boolean delta = false;
        boolean hasText = false;
        int contentsBefore = contents;
        whitespace();
        if (!take('}')) {
            do {
                whitespace();
                if (!key()) {
                    return UNKNOWN;
                }
                if (isKey(INDEX)) {
                    if (index >= 0) {
                        return UNKNOWN;
                    }
                    index = smallNumber();
                    if (index < 0) {
                        return UNKNOWN;
                    }
                } else if (isKey(DELTA)) {
                    if (delta) {
                        return UNKNOWN;
                    }
                    delta = true;
                    int text = peek() == '{' ? delta() : value(2) ? 0 : -1;
                    if (text < 0) {
                        return UNKNOWN;
                    }
                    hasText = text == 1;
                } else if (!value(2)) {
                    return UNKNOWN;
                }
                whitespace();
            } while (take(','));
            if (!take('}')) {
                return UNKNOWN;
            }
        }
        int choice = index >= 0 ? index : position;
        if (contents > contentsBefore) {
            contentChoice = choice;
        }
        if (!hasText) {
            return 0;
        }
        return choice <= MAX_CHOICE ? 1L << choice : UNKNOWN;
    }

    /** A delta object: 1 when its content is text that is not blank, 0 when not, -1 when it cannot tell. */
    private int delta() {
        take('{');
        boolean content = false;
        int hasText = 0;
        whitespace();
        if (take('}')) {
            return 0;
        }
        do {
            whitespace();
            if (!key()) {
                return -1;
            }
            if (isKey(CONTENT)) {
                if (content) {
                    return -1;
                }
                content = true;
                if (peek() == '"') {
                    contentOpen = at;
                    hasText = stringHasText();
                    contentClose = at - 1;
                    contents++;
                } else {
                    hasText = value(3) ? 0 : -1;
                }
                if (hasText < 0) {
                    return -1;
                }
            } else if (!value(3)) {
                return -1;
            }
            whitespace();
        } while (take(','));
        return take('}') ? hasText : -1;
    }

    /** Reads {@code "name":} and remembers where the name is. */
    private boolean key() {
        if (peek() != '"') {
            return false;
        }
        keyStart = at + 1;
        if (!string()) {
            return false;
        }
        keyEnd = at - 1;
        whitespace();
        if (!take(':')) {
            return false;
        }
        whitespace();
        return true;
    }

    /** A key with an escape is never one of these names: only a unicode escape decodes to a letter. */
    private boolean isKey(byte[] name) {
        return keyEnd - keyStart == name.length && Arrays.equals(bytes, keyStart, keyEnd, name, 0, name.length);
    }

    /** Any JSON value, strictly; false when it is not one (or nests too deep to bother). */
    private boolean value(int depth) {
        if (depth > MAX_DEPTH || at >= end) {
            return false;
        }
        switch (bytes[at]) {
            case '"':
                return string();
            case '{':
                at++;
                whitespace();
                if (take('}')) {
                    return true;
                }
                do {
                    whitespace();
                    if (!key() || !value(depth + 1)) {
                        return false;
                    }
                    whitespace();
                } while (take(','));
                return take('}');
            case '[':
                at++;
                whitespace();
                if (take(']')) {
                    return true;
                }
                do {
                    whitespace();
                    if (!value(depth + 1)) {
                        return false;
                    }
                    whitespace();
                } while (take(','));
                return take(']');
            case 't':
                return literal(TRUE);
            case 'f':
                return literal(FALSE);
            case 'n':
                return literal(NULL);
            default:
                return number();
        }
    }

    /** A string, from its opening quote to past its closing one; false for one that may name a call. */
    private boolean string() {
        at++;
        while (at < end) {
            byte b = bytes[at++];
            if (!STOPS_STRING[b & 0xFF]) {
                continue;
            }
            if (b == '"') {
                return true;
            }
            if (b == '\\' ? !escape() : b != '_' || namesCall(at - 1)) {
                return false;
            }
        }
        return false;
    }

    /**
     * A string, read as {@link String#isBlank()} would see it decoded: 1 when not blank, 0 when
     * blank, -1 when it cannot tell (unreadable, or blank but for characters beyond ASCII, which
     * may be white space).
     */
    private int stringHasText() {
        at++;
        boolean hasText = false;
        boolean beyondAscii = false;
        while (at < end) {
            byte b = bytes[at++];
            if (!STOPS_STRING[b & 0xFF]) {
                hasText |= b > ' ';
                beyondAscii |= b < 0;
                continue;
            }
            if (b == '"') {
                return hasText ? 1 : beyondAscii ? -1 : 0;
            }
            if (b == '\\') {
                if (!escape()) {
                    return -1;
                }
                // \n, \r, \t and \f decode to white space; \", \\, \/ and \b do not.
                byte escaped = bytes[at - 1];
                hasText |= escaped == '"' || escaped == '\\' || escaped == '/' || escaped == 'b';
            } else if (b != '_' || namesCall(at - 1)) {
                return -1;
            } else {
                hasText = true;
            }
        }
        return -1;
    }

    /** The character after a backslash: any JSON escape but a unicode one. */
    private boolean escape() {
        if (at >= end) {
            return false;
        }
        switch (bytes[at++]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
                return true;
            default:
                return false;
        }
    }

    /** Whether the underscore at {@code underscore} is that of {@code tool_calls} or {@code function_call}. */
    private boolean namesCall(int underscore) {
        return around(underscore, TOOL, CALLS) || around(underscore, FUNCTION, CALL);
    }

    private boolean around(int underscore, byte[] before, byte[] after) {
        int from = underscore - before.length;
        int to = underscore + 1 + after.length;
        return from >= 0 && to <= end && Arrays.equals(bytes, from, underscore, before, 0, before.length)
                && Arrays.equals(bytes, underscore + 1, to, after, 0, after.length);
    }

    /** A non-negative integer of at most two digits (a choice index), or -1. */
    private int smallNumber() {
        int start = at;
        int value = 0;
        while (at < end && at - start <= 2 && bytes[at] >= '0' && bytes[at] <= '9') {
            value = value * 10 + (bytes[at] - '0');
            at++;
        }
        int digits = at - start;
        if (digits == 0 || digits > 2 || (digits == 2 && bytes[start] == '0')) {
            return -1;
        }
        return value;
    }

    /** A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    private boolean number() {
        int start = at;
        take('-');
        if (!take('0') && digits() == 0) {
            return false;
        }
        if (take('.') && digits() == 0) {
            return false;
        }
        if (take('e') || take('E')) {
            if (!take('+')) {
                take('-');
            }
            if (digits() == 0) {
                return false;
            }
        }
        return at - start <= MAX_NUMBER_LENGTH;
    }

    private int digits() {
        int start = at;
        while (at < end && bytes[at] >= '0' && bytes[at] <= '9') {
            at++;
        }
        return at - start;
    }

    private boolean literal(byte[] word) {
        if (end - at >= word.length && Arrays.equals(bytes, at, at + word.length, word, 0, word.length)) {
            at += word.length;
            return true;
        }
        return false;
    }

    /** JSON white space but line ends, which would end the data line. */
    private void whitespace() {
        while (at < end && (bytes[at] == ' ' || bytes[at] == '\t')) {
            at++;
        }
    }

    private int peek() {
        return at < end ? bytes[at] : -1;
    }

    private boolean take(char c) {
        if (at < end && bytes[at] == c) {
            at++;
            return true;
        }
        return false;
    }

    private static boolean startsWith(byte[] bytes, int from, String prefix) {
        if (bytes.length - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
