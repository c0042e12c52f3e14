package dev.toolgate.storage;

/**
 * The result of walking an audit hash chain: intact, or the first event where it breaks.
 *
 * @param events events found intact, in chain order; when broken, those before the broken one
 * @param firstBrokenEventId the event id of the first event that does not fit the chain, or null when valid
 * @param reason why that event does not fit (edited, or an event before it deleted or moved), or null when valid
 */
public record ChainVerification(boolean valid, long events, String firstBrokenEventId, String reason) {
    public ChainVerification {
        if (events < 0) {
            throw new IllegalArgumentException("events: " + events + " (expected: 0 or more)");
        }
        if (valid != (firstBrokenEventId == null) || valid != (reason == null)) {
            throw new IllegalArgumentException("a valid chain has no broken event and no reason; a broken one has both");
        }
    }

    public static ChainVerification intact(long events) {
        return new ChainVerification(true, events, null, null);
    }

    public static ChainVerification broken(long eventsBefore, String eventId, String reason) {
        return new ChainVerification(false, eventsBefore, eventId, reason);
    }
}
