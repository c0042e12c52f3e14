package dev.toolgate.storage;

import java.time.Instant;
import java.util.List;

/**
 * Messages waiting to be delivered, stored before the first attempt so that retries survive a
 * restart. An entry is finished once: delivered or given up.
 */
public interface NotificationOutbox {

    void enqueue(OutboxEntry entry);

    /** Unfinished entries whose next attempt is at or before {@code now}, oldest first. */
    List<OutboxEntry> due(Instant now, int limit);

    /** Unfinished entries, any time: what is still to deliver. */
    long unfinished();

    void delivered(String id, int attempts, Instant at);

    void retryAt(String id, int attempts, Instant next, String error);

    void gaveUp(String id, int attempts, Instant at, String error);
}
