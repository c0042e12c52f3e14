package dev.toolgate.proxy.stream;

/**
 * Rewrites one provider's event stream as it arrives (Chat Completions, Responses, Anthropic
 * Messages): text passes straight through, each tool call is held until it is complete and
 * decided, and the decisions' metadata rides on the last event. One instance per stream; called
 * on the stream's event loop only.
 */
public interface StreamRewriter {

    void onEvent(SseEvent event, StreamSink sink);

    /** The upstream stream ended cleanly: decide and flush anything still held. */
    void onEnd(StreamSink sink);
}
