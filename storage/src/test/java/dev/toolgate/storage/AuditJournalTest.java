package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded database's audit events go to the audit journal first and into the table behind it:
 * what was acknowledged is readable at once and survives restarts with its chain intact. (An
 * outage: {@code jdbi.AuditJournalOutageTest}.)
 */
class AuditJournalTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedAppendsAreReadableAtOnceAndTheChainContinuesAcrossRestarts() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("toolgate");
        List<AuditEvent> appended = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (Storage storage = JdbiStorage.open(StorageSettings.of(url))) {
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
        try (Storage storage = JdbiStorage.open(StorageSettings.of(url))) {
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
}
