package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import java.util.List;

/**
 * Where the {@link AuditWriter} makes a batch of events durable before their appends complete:
 * straight into the database ({@link DatabaseAuditSink}) or into the audit journal, to be indexed
 * into the database behind it ({@link JournaledAuditSink}). A sink also links the events into their
 * workspaces' hash chains, because only it knows where each chain's head is kept.
 */
interface AuditSink extends AutoCloseable {

    /** Chains the events and makes them durable, in order, or throws; called by the writer thread only. */
    void persist(List<AuditEvent> events) throws Exception;

    /** Blocks until every event persisted so far can be read from the database, or throws StorageException. */
    void awaitReadable();

    /** Called once the writer has drained: finishes what is in flight and releases resources. */
    @Override
    void close();
}
