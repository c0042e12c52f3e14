package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.internal.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Each batch is one database transaction; an append completes once it has committed. The chain
 * heads ({@code audit_chain_heads}) are read and moved inside that transaction, after the batch's
 * workspaces are locked (on PostgreSQL a
 * transaction-scoped advisory lock per workspace, taken in name order so two writers never wait on
 * each other in a circle): gateway instances sharing the database then append to one chain per
 * workspace, one transaction at a time, and a lost commit acknowledgement cannot fork a chain.
 */
final class DatabaseAuditSink implements AuditSink {
    /** Marks the advisory lock keys as Toolgate's, apart from any other application's on the database. */
    private static final String LOCK_NAMESPACE = "toolgate.audit-chain/";

    private final Jdbi jdbi;
    private final AuditChain chain = new AuditChain();
    /** Read from the first connection; writer thread only. */
    private Database database;

    DatabaseAuditSink(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void persist(List<AuditEvent> events) throws Exception {
        jdbi.useTransaction(handle -> {
            if (database == null) {
                database = Database.of(handle.getConnection());
            }
            TreeSet<String> workspaces = new TreeSet<>();
            events.forEach(event -> workspaces.add(event.workspace()));
            Map<String, String> heads = new HashMap<>();
            for (String workspace : workspaces) {
                lock(handle, workspace);
                heads.put(workspace, AuditChain.head(handle, workspace));
            }
            List<ChainedEvent> chained = new ArrayList<>(events.size());
            for (AuditEvent event : events) {
                String prevHash = heads.get(event.workspace());
                String hash = chain.hash(prevHash, event);
                chained.add(new ChainedEvent(event, prevHash, hash));
                heads.put(event.workspace(), hash);
            }
            AuditEventRows.insertAll(handle, chained);
            AuditChain.advanceHeads(handle, chained);
        });
    }

    /** Holds the workspace's chain until the transaction ends. H2 is used by one instance only, so it needs none. */
    private void lock(Handle handle, String workspace) throws SQLException {
        if (database == Database.POSTGRESQL) {
            try (PreparedStatement lock = handle.getConnection().prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, lockKey(workspace));
                lock.execute();
            }
        }
    }

    /** A stable 64-bit key for the workspace's lock: the first 8 bytes of a SHA-256 of its name. */
    static long lockKey(String workspace) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((LOCK_NAMESPACE + workspace).getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (digest[i] & 0xff);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void awaitReadable() {
        // Committed before the append completed: nothing to wait for.
    }

    @Override
    public void close() {
    }
}
