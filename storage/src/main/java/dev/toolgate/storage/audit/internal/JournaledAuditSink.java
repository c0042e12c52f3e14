package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.internal.SqlErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * An append completes once its events are written to the {@link AuditJournal}; the
 * {@link AuditIndexer} copies them into the database behind it. Reads wait for the index to
 * catch up, so whatever a caller has seen acknowledged it can also query.
 */
final class JournaledAuditSink implements AuditSink {
    private final AuditJournal journal;
    private final AuditIndexer indexer;
    private final DatabaseSync databaseSync;
    private final long timeoutNanos;
    /**
     * This process is the only writer of an embedded database. A workspace's head is read from the
     * database the first time it is written: the replay at the start put every earlier event there.
     */
    private final CachedChainHeads heads;

    private JournaledAuditSink(Jdbi jdbi, AuditJournal journal, AuditIndexer indexer, DatabaseSync databaseSync, long timeoutNanos) {
        this.journal = journal;
        this.indexer = indexer;
        this.databaseSync = databaseSync;
        this.timeoutNanos = timeoutNanos;
        this.heads = new CachedChainHeads(workspace -> jdbi.withHandle(handle -> AuditChain.head(handle, workspace)));
    }

    /**
     * Replays what an earlier run left in the journal in {@code directory} into the database, then
     * starts a new segment and the indexer. {@code capacity}: events that may wait to be indexed;
     * {@code timeoutNanos}: how long the database may take to index any of them, and how long reads wait;
     * {@code sync}: appends are forced to the disk before they complete, and segments are deleted
     * only once the database has forced their events to the disk too.
     */
    static JournaledAuditSink open(Jdbi jdbi, Path directory, int capacity, long timeoutNanos, boolean sync) {
        return open(jdbi, directory, capacity, timeoutNanos, sync, FileChannel::open);
    }

    /** As above, with the journal's files opened by {@code opener}. */
    static JournaledAuditSink open(Jdbi jdbi, Path directory, int capacity, long timeoutNanos, boolean sync,
                                   AuditJournal.Opener opener) {
        DatabaseSync databaseSync = new DatabaseSync(jdbi, sync);
        try {
            AuditJournalReplay.replay(jdbi, directory, databaseSync);
            AuditJournal journal = AuditJournal.open(directory, sync, opener);
            return new JournaledAuditSink(jdbi, journal, AuditIndexer.start(jdbi, journal, databaseSync, capacity, timeoutNanos),
                    databaseSync, timeoutNanos);
        } catch (IOException e) {
            throw new StorageException("cannot open the audit journal in " + directory + ": " + e, e);
        } catch (SQLException | RuntimeException e) {
            throw new StorageException("cannot put the audit events journaled by the last run into the database (the"
                    + " journal in " + directory + " is kept): " + SqlErrors.describe(e), e);
        }
    }

    @Override
    public void persist(List<AuditEvent> events) throws IOException {
        StorageException refusal = indexer.admit(events.size());
        if (refusal != null) {
            throw refusal;
        }
        CachedChainHeads.Linked linked = heads.link(events);
        long segment = journal.append(linked.events());
        // A failed journal write is cut back off the file, so the heads move only after a durable one.
        heads.advance(linked);
        indexer.submit(linked.events(), segment);
    }

    @Override
    public void awaitReadable() {
        indexer.awaitIndexed(timeoutNanos);
    }

    @Override
    public void close() {
        indexer.close();
        journal.close();
        if (indexer.isCaughtUp() && databaseSync.run()) {
            journal.deleteAll();
        }
    }
}
