package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditQuery;
import dev.toolgate.storage.ChainVerification;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed gateway left in the audit journal is in the database after the next start, in order. */
class AuditJournalReplayTest {
    @TempDir
    Path dir;

    @Test
    void eventsTheLastRunDidNotIndexArePutInTheDatabaseInJournalOrderAtStart() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        Path journalDir = dir.resolve("toolgate.audit-journal");
        JdbiStorage.open(StorageSettings.of(url)).close();
        List<ChainedEvent> events = JournalRecordsTest.events(10);

        // The killed run: the first three events were indexed, all ten journaled over two segments,
        // and the write under way when it died was cut short.
        Jdbi.create(url, "", "").useTransaction(handle -> AuditEventRows.insertAll(handle, events.subList(0, 3)));
        try (AuditJournal journal = AuditJournal.open(journalDir, true)) {
            journal.append(events.subList(0, 5));
        }
        try (AuditJournal journal = AuditJournal.open(journalDir, true)) {
            journal.append(events.subList(5, 10));
        }
        List<Long> segments = AuditJournal.segments(journalDir);
        assertThat(segments).hasSize(2);
        byte[] unfinished = JournalRecords.encode(JournalRecordsTest.events(1)).array();
        Files.write(AuditJournal.file(journalDir, segments.get(1)), Arrays.copyOf(unfinished, 40), StandardOpenOption.APPEND);

        try (Storage storage = JdbiStorage.open(StorageSettings.of(url))) {
            List<String> stored = new ArrayList<>();
            for (AuditEvent event : storage.auditLog().query(AuditQuery.of("acme")).events()) {
                stored.add(0, event.eventId());  // newest first
            }
            assertThat(stored).containsExactlyElementsOf(events.stream().map(chained -> chained.event().eventId()).toList());
            assertThat(storage.auditLog().verifyChain("acme")).isEqualTo(ChainVerification.intact(10));
            for (long segment : AuditJournal.segments(journalDir)) {
                assertThat(AuditJournal.file(journalDir, segment)).as("replayed segments are deleted; a new one is empty").isEmptyFile();
            }
        }
        assertThat(AuditJournal.segments(journalDir)).as("an indexed journal is emptied on close").isEmpty();
    }
}
