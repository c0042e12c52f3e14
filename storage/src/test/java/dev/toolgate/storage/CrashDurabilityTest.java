package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a commit acknowledged before a {@code kill -9} is still there after it: the writer JVM
 * halts the moment its last append completes, without closing anything. Its last appends are
 * typically still in the audit journal only, so the restart has to put them in the database.
 */
class CrashDurabilityTest {

    /** Run in a JVM of its own: appends events and creates approvals, prints each id once committed, then halts. */
    public static final class CrashingWriter {
        public static void main(String[] args) {
            Storage storage = JdbiStorage.open(StorageSettings.of("jdbc:h2:file:" + args[0]));
            for (int i = 0; i < 50; i++) {
                AuditEvent event = TestData.event("acme", "read_file", "allowed");
                storage.auditLog().append(List.of(event)).join();
                System.out.println("event " + event.eventId());
                PendingApproval approval = TestData.approval("acme", "digest-" + i);
                storage.approvals().create(approval);
                System.out.println("approval " + approval.id());
            }
            // A burst the index is still working through when the process dies: only the journal has it.
            List<CompletableFuture<List<AuditEvent>>> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                List<AuditEvent> events = new ArrayList<>();
                for (int j = 0; j < 100; j++) {
                    events.add(TestData.event("acme", "list_files", "allowed"));
                }
                burst.add(storage.auditLog().append(events).thenApply(done -> events));
            }
            for (CompletableFuture<List<AuditEvent>> appended : burst) {
                appended.join().forEach(event -> System.out.println("event " + event.eventId()));
            }
            System.out.flush();
            Runtime.getRuntime().halt(9);
        }
    }

    @Test
    void everythingAcknowledgedBeforeAKillIsThereAfterIt(@TempDir Path dir) throws Exception {
        Path database = dir.resolve("toolgate");
        List<String> acknowledged = runUntilHalted(database, dir.resolve("writer.log"));
        assertThat(acknowledged).hasSize(2_100);

        try (Storage reopened = JdbiStorage.open(StorageSettings.of("jdbc:h2:file:" + database))) {
            for (String line : acknowledged) {
                String id = line.substring(line.indexOf(' ') + 1);
                if (line.startsWith("event ")) {
                    assertThat(reopened.auditLog().findByEventId(id)).as("event " + id).isPresent();
                } else {
                    assertThat(reopened.approvals().findById(id)).as("approval " + id).hasValueSatisfying(
                            approval -> assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING));
                }
            }
            assertThat(reopened.auditLog().verifyChain("acme")).isEqualTo(ChainVerification.intact(2_050));
        }
    }

    private static List<String> runUntilHalted(Path database, Path log) throws IOException, InterruptedException {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), database.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!writer.waitFor(60, TimeUnit.SECONDS)) {
            writer.destroyForcibly();
            throw new AssertionError("the writer did not finish: " + Files.readString(log));
        }
        assertThat(writer.exitValue()).as(Files.readString(log)).isEqualTo(9);
        List<String> acknowledged = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("event ") || line.startsWith("approval ")) {
                acknowledged.add(line);
            }
        }
        return acknowledged;
    }
}
