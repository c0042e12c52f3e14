package dev.toolgate.storage;

import java.time.Duration;
import java.util.Map;

/**
 * How gateway instances sharing a database learn that state they keep a copy of has changed: each
 * {@link Topic} has a version that every change moves, in the transaction of the change. Blocking.
 */
public interface ChangeFeed extends AutoCloseable {

    /** The kinds of shared state an instance copies into memory. */
    enum Topic {
        /** The kill switch and the rules created through the API. */
        POLICY,
        /** Approvals: a new one may answer a conversation retried on any instance. */
        APPROVALS,
        /** The agents' circuit-breaker states. */
        AGENTS;

        /** The name stored in {@code change_versions}. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The current version of every topic. */
    Map<Topic, Long> versions();

    /**
     * Waits until another writer announces a change (PostgreSQL's LISTEN/NOTIFY) or {@code timeout}
     * passes, whichever comes first; a database without announcements just waits. Callers read
     * {@link #versions} afterwards either way, so a missed announcement costs at most the timeout.
     */
    void awaitAnnouncement(Duration timeout) throws InterruptedException;

    @Override
    void close();
}
