package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.ChainVerification;
import dev.toolgate.storage.GatedDataSource;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full index backlog slows appends to the database's pace instead of failing them. */
class AuditBacklogTest {
    @TempDir
    Path dir;

    @Test
    void anAppendBeyondTheBacklogWaitsForTheIndexAndThenSucceeds() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        JdbiStorage.open(StorageSettings.of(url)).close();  // the schema
        GatedDataSource database = new GatedDataSource(url);
        Jdbi jdbi = JdbiStorage.jdbi(database);
        JournaledAuditSink sink = JournaledAuditSink.open(jdbi, dir.resolve("journal"), 10, TimeUnit.SECONDS.toNanos(10), true);
        try (JdbiAuditLog log = new JdbiAuditLog(jdbi, sink, 100, 500, Duration.ofSeconds(10))) {
            List<AuditEvent> appended = new ArrayList<>(events(1));
            log.append(appended).get(10, TimeUnit.SECONDS);
            assertThat(log.findByEventId(appended.get(0).eventId())).isPresent();

            database.hold();
            List<AuditEvent> fill = events(10);
            log.append(fill).get(10, TimeUnit.SECONDS);  // journaled: the backlog was empty
            appended.addAll(fill);
            List<AuditEvent> beyond = events(1);
            CompletableFuture<Void> waiting = log.append(beyond);
            Thread.sleep(300);
            assertThat(waiting).as("held back while 10 events wait to be indexed").isNotDone();

            database.open();
            waiting.get(10, TimeUnit.SECONDS);
            appended.addAll(beyond);
            for (AuditEvent event : appended) {
                assertThat(log.findByEventId(event.eventId())).as(event.eventId()).isPresent();
            }
            assertThat(log.verifyChain("acme")).isEqualTo(ChainVerification.intact(appended.size()));
        }
    }

    private static List<AuditEvent> events(int count) {
        return JournalRecordsTest.events(count).stream().map(chained -> {
            AuditEvent e = chained.event();
            return new AuditEvent(0, dev.toolgate.storage.EventIds.next(), e.time(), e.workspace(), e.agent(), e.source(),
                    e.tool(), e.toolCallId(), e.arguments(), e.decision(), e.rules(), e.reasons(), e.riskScore(),
                    e.approvalId(), e.policyVersion(), e.model(), e.upstreamStatus(), e.overheadMicros(), e.decidedBy());
        }).toList();
    }
}
