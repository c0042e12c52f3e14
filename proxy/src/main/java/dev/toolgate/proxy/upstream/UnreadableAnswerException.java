package dev.toolgate.proxy.upstream;

/**
 * An upstream answer, or one event of a streamed answer, whose shape hides where its tool calls
 * are (a {@code tool_calls} that is not an array, an event about calls that is not JSON): it
 * cannot be decided, so none of it is released (502 UPSTREAM_INVALID_RESPONSE).
 */
public final class UnreadableAnswerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnreadableAnswerException(String message) {
        super(message, null, false, false);
    }
}
