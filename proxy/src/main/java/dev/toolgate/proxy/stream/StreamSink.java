package dev.toolgate.proxy.stream;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a {@link StreamRewriter} puts its output. Output leaves in the order it was given, so an
 * event emitted after a pending decision waits for it: a stream never reorders, and a held call
 * is released only once its decision is recorded.
 */
public interface StreamSink {

    /** Events to send as soon as everything before them has been sent. */
    void emit(SseEvent event);

    /** Events known only once {@code later} completes; a failed future ends the stream with an error event. */
    void emitLater(CompletableFuture<List<SseEvent>> later);
}
