package dev.toolgate.storage.audit.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Links the events stored before V6 into their workspaces' hash chains, in id order, then makes
 * {@code prev_hash} and {@code hash} NOT NULL. Java rather than SQL because portable SQL has no
 * SHA-256. Those events were not protected before; from now on they are, as they stand today.
 * Its name is the version and description the schema history records it under (listed in
 * {@code SchemaMigrations}).
 */
public final class V6_1__Chain_audit_events_stored_before_the_chain {
    private static final int BATCH = 1_000;

    private record Link(long id, String prevHash, String hash) {
    }

    public void migrate(Connection connection) throws SQLException {
        AuditChain chain = new AuditChain();
        Map<String, String> heads = new HashMap<>();
        long after = 0;
        while (true) {
            List<Link> links = new ArrayList<>();
            long last = after;
            try (PreparedStatement select = connection.prepareStatement("SELECT " + AuditEventRows.COLUMNS
                    + ", hash FROM audit_events WHERE id > ? ORDER BY id LIMIT " + BATCH)) {
                select.setLong(1, after);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        last = rs.getLong("id");
                        String workspace = rs.getString("workspace");
                        String stored = rs.getString("hash");
                        if (stored != null) {
                            heads.put(workspace, stored);  // linked by an earlier, interrupted run
                            continue;
                        }
                        String prevHash = heads.getOrDefault(workspace, AuditChain.GENESIS);
                        String hash = chain.hash(prevHash, rs);
                        links.add(new Link(last, prevHash, hash));
                        heads.put(workspace, hash);
                    }
                }
            }
            if (last == after) {
                break;
            }
            store(connection, links);
            after = last;
        }
        try (Statement alter = connection.createStatement()) {
            alter.execute("ALTER TABLE audit_events ALTER COLUMN prev_hash SET NOT NULL");
            alter.execute("ALTER TABLE audit_events ALTER COLUMN hash SET NOT NULL");
        }
    }

    private static void store(Connection connection, List<Link> links) throws SQLException {
        if (links.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?")) {
            for (Link link : links) {
                update.setString(1, link.prevHash());
                update.setString(2, link.hash());
                update.setLong(3, link.id());
                update.addBatch();
            }
            update.executeBatch();
        }
    }
}
