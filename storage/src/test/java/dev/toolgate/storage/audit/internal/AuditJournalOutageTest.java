package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.ChainVerification;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.GatedDataSource;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the database refuses audit events, new appends fail closed; the ones acknowledged before
 * (already in the journal) are indexed once it takes events again, and the chain stays intact.
 */
class AuditJournalOutageTest {
    @TempDir
    Path dir;

    @Test
    void whileTheDatabaseRefusesEventsNewAppendsFailClosedAndTheAcknowledgedOnesAreIndexedWhenItReturns() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        JdbiStorage.open(StorageSettings.of(url)).close();  // the schema
        GatedDataSource database = new GatedDataSource(url);
        try (JdbiAuditLog log = JdbiAuditLog.journaled(JdbiStorage.jdbi(database), dir.resolve("journal"), Duration.ofSeconds(2), true)) {
            AuditEvent before = event();
            log.append(List.of(before)).get(10, TimeUnit.SECONDS);
            assertThat(log.findByEventId(before.eventId())).as("waits until it is indexed").isPresent();

            database.refuseConnections(true);
            // Acknowledged: it is in the journal, and the database has not refused anything yet.
            AuditEvent journaledOnly = event();
            log.append(List.of(journaledOnly)).get(10, TimeUnit.SECONDS);
            List<AuditEvent> acknowledged = new ArrayList<>(List.of(before, journaledOnly));
            AuditEvent refused = appendUntilRefused(log, acknowledged);
            assertThatThrownBy(() -> log.findByEventId(journaledOnly.eventId())).isInstanceOf(StorageException.class)
                    .hasMessageContaining("not yet to the database");

            database.refuseConnections(false);
            AuditEvent after = event();
            appendUntilAccepted(log, after);
            acknowledged.add(after);

            for (AuditEvent event : acknowledged) {
                assertThat(log.findByEventId(event.eventId())).as(event.eventId()).isPresent();
            }
            assertThat(log.findByEventId(refused.eventId())).as("a refused append is not recorded").isEmpty();
            assertThat(log.verifyChain("acme")).isEqualTo(ChainVerification.intact(acknowledged.size()));
        }
    }

    @Test
    void aDatabaseThatHangsPastTheStorageTimeoutMakesNewAppendsFailClosedUntilItAnswers() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        JdbiStorage.open(StorageSettings.of(url)).close();  // the schema
        GatedDataSource database = new GatedDataSource(url);
        try (JdbiAuditLog log = JdbiAuditLog.journaled(JdbiStorage.jdbi(database), dir.resolve("journal"), Duration.ofMillis(500), true)) {
            AuditEvent before = event();
            log.append(List.of(before)).get(10, TimeUnit.SECONDS);
            assertThat(log.findByEventId(before.eventId())).isPresent();

            database.hold();
            AuditEvent journaled = event();
            log.append(List.of(journaled)).get(10, TimeUnit.SECONDS);  // the index was not behind yet
            database.awaitWaiter();  // the indexer now waits for the database
            Thread.sleep(700);
            AuditEvent refused = event();
            assertThatThrownBy(() -> log.append(List.of(refused)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(StorageException.class)
                    .hasMessageContaining("has not indexed any of 1 audit events for 500 ms");

            database.open();
            AuditEvent after = event();
            appendUntilAccepted(log, after);
            assertThat(log.findByEventId(journaled.eventId())).isPresent();
            assertThat(log.findByEventId(after.eventId())).isPresent();
            assertThat(log.findByEventId(refused.eventId())).isEmpty();
            assertThat(log.verifyChain("acme")).isEqualTo(ChainVerification.intact(3));
        }
    }

    /**
     * Appends until one fails with StorageException (the indexer has met the refusal) and returns
     * that one; those acknowledged before are added to {@code acknowledged}.
     */
    private static AuditEvent appendUntilRefused(JdbiAuditLog log, List<AuditEvent> acknowledged) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            AuditEvent event = event();
            try {
                log.append(List.of(event)).get(10, TimeUnit.SECONDS);
                acknowledged.add(event);  // journaled before the refusal showed
                Thread.sleep(20);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StorageException.class).hasMessageContaining("cannot be indexed");
                return event;
            }
        }
        throw new AssertionError("appends were still accepted 20 s after the database began refusing connections");
    }

    private static void appendUntilAccepted(JdbiAuditLog log, AuditEvent event) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                log.append(List.of(event)).get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("appends still refused 20 s after the database returned", e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static AuditEvent event() {
        AuditEvent e = JournalRecordsTest.events(1).get(0).event();
        return new AuditEvent(0, EventIds.next(), e.time(), e.workspace(), e.agent(), e.source(), e.tool(), e.toolCallId(),
                e.arguments(), e.decision(), e.rules(), e.reasons(), e.riskScore(), e.approvalId(), e.policyVersion(),
                e.model(), e.upstreamStatus(), e.overheadMicros(), e.decidedBy());
    }
}
