package dev.toolgate.storage.jdbi;

import java.util.List;

/**
 * Where the {@link AuditWriter} makes a batch of chained events durable before their appends
 * complete: straight into the database ({@link DatabaseAuditSink}) or into the audit journal, to be
 * indexed into the database behind it ({@link JournaledAuditSink}).
 */
interface AuditSink extends AutoCloseable {

    /** The hash of the workspace's newest durable event, where its chain continues. Writer thread only. */
    String head(String workspace);

    /** Makes the events durable, in order, or throws; called by the writer thread only. */
    void persist(List<ChainedEvent> events) throws Exception;

    /**
     * True when a failed {@link #persist} may nevertheless have stored its events (a commit whose
     * acknowledgement was lost): the writer then forgets the chain heads and reloads them.
     */
    boolean failureMayHaveStored();

    /** Blocks until every event persisted so far can be read from the database, or throws StorageException. */
    void awaitReadable();

    /** Called once the writer has drained: finishes what is in flight and releases resources. */
    @Override
    void close();
}
