package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.ChainVerification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Walks stored events in id order, a batch at a time, recomputing each {@link AuditChain} link;
 * memory is bounded by the batch size and the number of workspaces.
 */
final class AuditChainVerifier {
    static final String EDITED = "the event's contents do not match its hash: it was modified after it was recorded";
    static final String UNLINKED = "the event's prev_hash is not the hash of the event before it in the workspace's chain:"
            + " an earlier event was deleted, or events were inserted or reordered";
    static final String UNHASHED = "the event has no hash: it was not written by the audit writer";

    /** One stored event as the chain sees it; {@code contentHash} is recomputed from its columns. */
    private record Link(long id, String eventId, String workspace, String prevHash, String hash, String contentHash) {
    }

    private final Jdbi jdbi;
    private final int batchSize;

    AuditChainVerifier(Jdbi jdbi, int batchSize) {
        this.jdbi = jdbi;
        this.batchSize = batchSize;
    }

    /** Verifies one workspace's chain, or every workspace's when {@code workspace} is null. */
    ChainVerification verify(String workspace) {
        String scope = workspace == null ? "" : " AND workspace = :workspace";
        long last = jdbi.withHandle(handle -> bindScope(handle.createQuery(
                "SELECT COALESCE(MAX(id), 0) FROM audit_events WHERE 1 = 1" + scope), workspace)
                .mapTo(Long.class)
                .one());
        AuditChain chain = new AuditChain();
        Map<String, String> heads = new HashMap<>();
        long verified = 0;
        long after = 0;
        while (after < last) {
            long from = after;
            List<Link> batch = jdbi.withHandle(handle -> bindScope(handle.createQuery("SELECT " + AuditEventRows.COLUMNS
                            + ", prev_hash, hash FROM audit_events WHERE id > :after AND id <= :last" + scope
                            + " ORDER BY id LIMIT :limit"), workspace)
                    .bind("after", from)
                    .bind("last", last)
                    .bind("limit", batchSize)
                    .map((rs, ctx) -> {
                        String prevHash = rs.getString("prev_hash");
                        return new Link(rs.getLong("id"), rs.getString("event_id"), rs.getString("workspace"), prevHash,
                                rs.getString("hash"), prevHash == null ? null : chain.hash(prevHash, rs));
                    })
                    .list());
            if (batch.isEmpty()) {
                break;
            }
            for (Link link : batch) {
                String expectedPrev = heads.getOrDefault(link.workspace(), AuditChain.GENESIS);
                if (link.prevHash() == null || link.hash() == null) {
                    return ChainVerification.broken(verified, link.eventId(), UNHASHED);
                }
                if (!link.prevHash().equals(expectedPrev)) {
                    return ChainVerification.broken(verified, link.eventId(), UNLINKED);
                }
                if (!link.hash().equals(link.contentHash())) {
                    return ChainVerification.broken(verified, link.eventId(), EDITED);
                }
                heads.put(link.workspace(), link.hash());
                verified++;
            }
            after = batch.get(batch.size() - 1).id();
        }
        return ChainVerification.intact(verified);
    }

    private static Query bindScope(Query query, String workspace) {
        return workspace == null ? query : query.bind("workspace", workspace);
    }
}
