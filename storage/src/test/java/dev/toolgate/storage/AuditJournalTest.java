package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.jdbi.JdbiAuditLog;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded database's audit events go to the audit journal first and into the table behind it:
 * what was acknowledged is readable at once, survives restarts with its chain intact, and while the
 * database refuses events new appends fail closed without losing the ones already acknowledged.
 */
class AuditJournalTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedAppendsAreReadableAtOnceAndTheChainContinuesAcrossRestarts() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        List<AuditEvent> appended = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (Storage storage = Storage.open(StorageSettings.of(url))) {
                List<CompletableFuture<Void>> acknowledged = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    AuditEvent event = TestData.event(i % 3 == 0 ? "globex" : "acme", "read_file", "allowed");
                    appended.add(event);
                    acknowledged.add(storage.auditLog().append(List.of(event)));
                }
                CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                AuditEvent last = appended.get(appended.size() - 1);
                assertThat(storage.auditLog().findByEventId(last.eventId())).as("readable once acknowledged").isPresent();
                assertThat(Files.isDirectory(dir.resolve("toolgate.audit-journal"))).isTrue();
            }
        }
        try (Storage storage = Storage.open(StorageSettings.of(url))) {
            for (AuditEvent event : appended) {
                assertThat(storage.auditLog().findByEventId(event.eventId())).as(event.eventId()).isPresent();
            }
            assertThat(storage.auditLog().verifyChain("acme")).isEqualTo(ChainVerification.intact(400));
            assertThat(storage.auditLog().verifyChain("globex")).isEqualTo(ChainVerification.intact(200));
        }
        try (Stream<Path> left = Files.list(dir.resolve("toolgate.audit-journal"))) {
            assertThat(left).as("an indexed journal is emptied on close").isEmpty();
        }
    }

    @Test
    void whileTheDatabaseRefusesEventsNewAppendsFailClosedAndTheAcknowledgedOnesAreIndexedWhenItReturns() throws Exception {
        Path baseDir = dir.resolve("server");
        Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", baseDir.toString()).start();
        int port = server.getPort();
        String url = "jdbc:h2:tcp://localhost:" + port + "/toolgate";
        Storage.open(new StorageSettings(url, "sa", "", Duration.ofSeconds(5))).close();  // the schema
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        dataSource.setUser("sa");
        try (JdbiAuditLog log = JdbiAuditLog.journaled(JdbiStorage.jdbi(dataSource), dir.resolve("journal"), Duration.ofMillis(500))) {
            AuditEvent before = TestData.event("acme", "read_file", "allowed");
            log.append(List.of(before)).get(10, TimeUnit.SECONDS);
            assertThat(log.findByEventId(before.eventId())).as("waits until it is indexed").isPresent();

            server.stop();
            // Acknowledged: it is in the journal, which the database has not refused yet.
            AuditEvent journaledOnly = TestData.event("acme", "read_file", "allowed");
            log.append(List.of(journaledOnly)).get(10, TimeUnit.SECONDS);
            List<AuditEvent> acknowledged = new ArrayList<>(List.of(before, journaledOnly));
            AuditEvent refused = appendUntilRefused(log, acknowledged);
            assertThatThrownBy(() -> log.findByEventId(journaledOnly.eventId())).isInstanceOf(StorageException.class)
                    .hasMessageContaining("not yet to the database");

            server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir", baseDir.toString()).start();
            AuditEvent after = TestData.event("acme", "read_file", "allowed");
            awaitAccepted(log, after);

            acknowledged.add(after);
            for (AuditEvent event : acknowledged) {
                assertThat(log.findByEventId(event.eventId())).as(event.eventId()).isPresent();
            }
            assertThat(log.findByEventId(refused.eventId())).as("a refused append is not recorded").isEmpty();
            assertThat(log.verifyChain("acme")).isEqualTo(ChainVerification.intact(acknowledged.size()));
        } finally {
            server.stop();
        }
    }

    /**
     * Appends until one fails with StorageException (the indexer has noticed the database is gone)
     * and returns that one; those acknowledged before are added to {@code acknowledged}.
     */
    private static AuditEvent appendUntilRefused(JdbiAuditLog log, List<AuditEvent> acknowledged) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            AuditEvent event = TestData.event("acme", "read_file", "allowed");
            try {
                log.append(List.of(event)).get(10, TimeUnit.SECONDS);
                acknowledged.add(event);  // journaled before the failure showed
                Thread.sleep(50);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StorageException.class);
                return event;
            }
        }
        throw new AssertionError("appends were still accepted 20 s after the database stopped");
    }

    private static void awaitAccepted(JdbiAuditLog log, AuditEvent event) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                log.append(List.of(event)).get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("appends still refused 20 s after the database returned", e);
                }
                Thread.sleep(100);
            }
        }
    }
}
