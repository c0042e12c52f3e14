package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.StorageException;

/** The audit writer is behind and its queue is full: the append was refused without waiting. */
public final class AuditQueueFullException extends StorageException {
    private static final long serialVersionUID = 1L;

    public AuditQueueFullException(int capacity) {
        this(capacity + " appends waiting");
    }

    /** {@code backlog} says what is full, e.g. "20000 journaled events waiting to be indexed". */
    public AuditQueueFullException(String backlog) {
        super("audit queue is full (" + backlog + "): the database is not keeping up with the audit log, so the"
                + " event was not recorded and its tool call must stay held");
    }
}
