package dev.toolgate.proxy.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * The upstream's events for one held tool call, kept as received so that a released call goes
 * out byte for byte, up to {@code maxBytes}: streams can wrap each fragment in an envelope fifty
 * times its size, so past the budget the events are dropped and the format re-emits the call from
 * its joined text instead.
 */
public final class HeldEvents {
    private final long maxBytes;
    private List<SseEvent> events = new ArrayList<>();
    private long bytes;

    public HeldEvents(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public void add(SseEvent event) {
        if (events == null) {
            return;
        }
        bytes += event.raw().length;
        if (bytes > maxBytes) {
            events = null;
        } else {
            events.add(event);
        }
    }

    /** Whether events are still kept (the budget was not passed). */
    public boolean kept() {
        return events != null;
    }

    /** Gives up the events (the call will not be released as received). */
    public void drop() {
        events = null;
    }

    /** The events as received; empty once dropped. */
    public List<SseEvent> events() {
        return events == null ? List.of() : List.copyOf(events);
    }
}
