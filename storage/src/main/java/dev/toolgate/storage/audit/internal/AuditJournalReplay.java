package dev.toolgate.storage.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, puts into the database every journaled event a previous run had not indexed (it was
 * killed, or the database was down when it stopped), in journal order, then deletes the segments.
 * The index commits in journal order, so what is missing is the tail; events already there are
 * recognised by their event id.
 */
final class AuditJournalReplay {
    private static final Logger log = LoggerFactory.getLogger(AuditJournalReplay.class);
    private static final int BATCH = 1_000;

    private AuditJournalReplay() {
    }

    /** Returns how many events were inserted. Throws when the database refuses them; the journal is then kept. */
    static int replay(Jdbi jdbi, Path directory, DatabaseSync databaseSync) throws IOException, SQLException {
        List<Long> segments = AuditJournal.segments(directory);
        if (segments.isEmpty()) {
            return 0;
        }
        int journaled = 0;
        int inserted = 0;
        // One segment at a time, oldest first: memory stays bounded by a segment, order is kept.
        for (int i = 0; i < segments.size(); i++) {
            Path file = AuditJournal.file(directory, segments.get(i));
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
            List<ChainedEvent> events = JournalRecords.decode(bytes);
            if (!JournalRecords.isClean(bytes)) {
                reportUnreadable(file, bytes, i == segments.size() - 1);
            }
            journaled += events.size();
            inserted += insertMissing(jdbi, events);
        }
        if (inserted > 0 && !databaseSync.run()) {
            return inserted;  // the segments stay, and the next start finds their events in the database
        }
        for (long segment : segments) {
            Files.deleteIfExists(AuditJournal.file(directory, segment));
        }
        if (inserted > 0) {
            log.info("Audit journal in {}: {} events the last run had not indexed are now in the database ({} were there"
                    + " already)", directory, inserted, journaled - inserted);
        }
        return inserted;
    }

    private static int insertMissing(Jdbi jdbi, List<ChainedEvent> events) throws SQLException {
        int inserted = 0;
        for (int from = 0; from < events.size(); from += BATCH) {
            List<ChainedEvent> missing = missing(jdbi, events.subList(from, Math.min(events.size(), from + BATCH)));
            if (!missing.isEmpty()) {
                jdbi.useTransaction(handle -> {
                    AuditEventRows.insertAll(handle, missing);
                    AuditChain.advanceHeads(handle, missing);
                });
                inserted += missing.size();
            }
        }
        return inserted;
    }

    private static List<ChainedEvent> missing(Jdbi jdbi, List<ChainedEvent> batch) {
        List<String> ids = batch.stream().map(chained -> chained.event().eventId()).toList();
        Set<String> present = new HashSet<>(jdbi.withHandle(handle -> handle
                .createQuery("SELECT event_id FROM audit_events WHERE event_id IN (<ids>)")
                .bindList("ids", ids)
                .mapTo(String.class)
                .list()));
        return batch.stream().filter(chained -> !present.contains(chained.event().eventId())).toList();
    }

    private static void reportUnreadable(Path file, ByteBuffer bytes, boolean newest) {
        if (newest) {
            // The write that was under way when the process died: its append never completed, so
            // no call was released on it.
            log.warn("Audit journal {} ends with {} bytes of a record cut short by a crash; they are ignored", file,
                    bytes.remaining());
        } else {
            log.error("Audit journal {} has an unreadable record at byte {}; the {} bytes from there on are skipped and"
                    + " the hash chain shows the gap", file, bytes.position(), bytes.remaining());
        }
    }
}
