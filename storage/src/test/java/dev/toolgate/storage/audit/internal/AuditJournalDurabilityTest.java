package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * storage.durability: with sync, every append the journal acknowledged survives a power loss (a
 * disk that drops what was not forced, {@link VolatileDisk}), and concurrent appends share one
 * sync; with os, a power loss may take them.
 */
class AuditJournalDurabilityTest {
    @TempDir
    Path dir;

    /** Event ids a power loss right now would leave in the journal. */
    private static List<String> survivingEventIds(VolatileDisk disk) throws Exception {
        List<String> ids = new ArrayList<>();
        for (byte[] bytes : disk.afterPowerLoss().values()) {
            JournalRecords.decode(ByteBuffer.wrap(bytes)).forEach(chained -> ids.add(chained.event().eventId()));
        }
        return ids;
    }

    @Test
    void withSyncEveryAcknowledgedAppendSurvivesAPowerLoss() throws Exception {
        VolatileDisk disk = new VolatileDisk(0);
        List<ChainedEvent> events = JournalRecordsTest.events(9);
        try (AuditJournal journal = AuditJournal.open(dir.resolve("journal"), true, disk)) {
            for (int from = 0; from < events.size(); from += 3) {
                journal.append(events.subList(from, from + 3));
                assertThat(survivingEventIds(disk)).as("after the append of events %d..%d returned", from, from + 2)
                        .containsExactlyInAnyOrderElementsOf(events.subList(0, from + 3).stream()
                                .map(chained -> chained.event().eventId()).toList());
            }
        }
    }

    @Test
    void withOsAnAppendIsHandedToTheOperatingSystemOnly() throws Exception {
        VolatileDisk disk = new VolatileDisk(0);
        try (AuditJournal journal = AuditJournal.open(dir.resolve("journal"), false, disk)) {
            journal.append(JournalRecordsTest.events(3));
            assertThat(survivingEventIds(disk)).as("nothing forced: a power loss takes the events").isEmpty();
            assertThat(disk.fileForces()).isZero();
        }
    }

    @Test
    void concurrentAppendsShareOneSyncAndAllSurvive() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        JdbiStorage.open(StorageSettings.of(url)).close();  // the schema
        JdbcDataSource database = new JdbcDataSource();
        database.setURL(url);
        Jdbi jdbi = JdbiStorage.jdbi(database);
        VolatileDisk disk = new VolatileDisk(20);  // a disk that takes 20 ms per sync
        JournaledAuditSink sink = JournaledAuditSink.open(jdbi, dir.resolve("journal"), 10_000, TimeUnit.SECONDS.toNanos(10), true,
                disk);
        int appends = 200;
        List<String> acknowledged = new ArrayList<>();
        ExecutorService agents = Executors.newFixedThreadPool(8);
        try (JdbiAuditLog log = new JdbiAuditLog(jdbi, sink, 1_000, 500, Duration.ofSeconds(10))) {
            List<AuditEvent> events = new ArrayList<>();
            for (int i = 0; i < appends; i++) {
                events.add(event(i));
            }
            List<CompletableFuture<Void>> committed = events.stream()
                    .map(event -> CompletableFuture.supplyAsync(() -> log.append(List.of(event)), agents).thenCompose(done -> done))
                    .toList();
            CompletableFuture.allOf(committed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            events.forEach(event -> acknowledged.add(event.eventId()));

            assertThat(survivingEventIds(disk)).containsAll(acknowledged);
            assertThat(disk.fileForces()).as("one sync for every append that arrived during the last one")
                    .isBetween(1, appends / 4);
        } finally {
            agents.shutdownNow();
        }
    }

    private static AuditEvent event(int i) {
        AuditEvent e = JournalRecordsTest.events(1).get(0).event();
        return new AuditEvent(0, EventIds.next(), e.time(), e.workspace(), e.agent(), e.source(), "tool_" + i, "call_" + i,
                e.arguments(), e.decision(), e.rules(), e.reasons(), e.riskScore(), e.approvalId(), e.policyVersion(), e.model(),
                e.upstreamStatus(), e.overheadMicros(), e.decidedBy());
    }
}
