package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.internal.SqlErrors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forces the embedded database's committed pages to the disk ({@code CHECKPOINT SYNC}) before
 * audit journal segments holding the same events are deleted: H2 hands its commits to the
 * operating system without syncing them, so with {@code storage.durability: sync} a segment may
 * go only once the database's copy would survive a power loss. With {@code os} it does nothing.
 */
final class DatabaseSync {
    private static final Logger log = LoggerFactory.getLogger(DatabaseSync.class);

    private final Jdbi jdbi;
    private final boolean enabled;

    DatabaseSync(Jdbi jdbi, boolean enabled) {
        this.jdbi = jdbi;
        this.enabled = enabled;
    }

    /** True when the database's commits are on the disk (or need not be); false keeps the segments for later. */
    boolean run() {
        if (!enabled) {
            return true;
        }
        try {
            jdbi.useHandle(handle -> handle.execute("CHECKPOINT SYNC"));
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not sync the database to disk, so indexed audit journal segments are kept for now"
                    + " (retried after the next index commit): {}", SqlErrors.describe(e));
            return false;
        }
    }
}
