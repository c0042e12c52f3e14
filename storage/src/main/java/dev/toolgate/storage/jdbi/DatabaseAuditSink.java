package dev.toolgate.storage.jdbi;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Each batch is one database transaction; an append completes once it has committed. */
final class DatabaseAuditSink implements AuditSink {
    private final Jdbi jdbi;

    DatabaseAuditSink(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public String head(String workspace) {
        return jdbi.withHandle(handle -> AuditChain.head(handle, workspace));
    }

    @Override
    public void persist(List<ChainedEvent> events) throws Exception {
        jdbi.useTransaction(handle -> AuditEventRows.insertAll(handle, events));
    }

    @Override
    public boolean failureMayHaveStored() {
        return true;
    }

    @Override
    public void awaitReadable() {
        // Committed before the append completed: nothing to wait for.
    }

    @Override
    public void close() {
    }
}
