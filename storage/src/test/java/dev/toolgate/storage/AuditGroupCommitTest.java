package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.audit.internal.AuditQueueFullException;
import dev.toolgate.storage.audit.internal.JdbiAuditLog;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditGroupCommitTest {
    private static final String WRITER_THREAD = "toolgate-audit-writer";

    private final String url = TestData.memUrl();
    private Storage storage;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(url));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void concurrentAppendsAreAllCommittedOnceAndVisibleBeforeTheirFutureCompletes() throws Exception {
        int threads = 8;
        int perThread = 500;
        Queue<String> completedBeforeVisible = new ConcurrentLinkedQueue<>();
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try (Connection observer = DriverManager.getConnection(url)) {
            List<Future<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                submitted.add(callers.submit(() -> {
                    List<CompletableFuture<Void>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        AuditEvent event = TestData.event("acme", "read_file", "allowed");
                        CompletableFuture<Void> done = storage.auditLog().append(List.of(event));
                        // Runs the moment the future completes: the row must already be committed.
                        done.thenRun(() -> {
                            try {
                                if (!isVisible(observer, event.eventId())) {
                                    completedBeforeVisible.add(event.eventId());
                                }
                            } catch (RuntimeException e) {
                                completedBeforeVisible.add(event.eventId() + ": " + e);
                            }
                        });
                        futures.add(done);
                    }
                    return futures;
                }));
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> f : submitted) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(all).hasSize(threads * perThread).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            assertThat(completedBeforeVisible).isEmpty();
            assertThat(count(observer, "SELECT COUNT(*) FROM audit_events")).isEqualTo(threads * perThread);
            assertThat(count(observer, "SELECT COUNT(DISTINCT event_id) FROM audit_events")).isEqualTo(threads * perThread);
            assertThat(count(observer, "SELECT COUNT(DISTINCT id) FROM audit_events")).isEqualTo(threads * perThread);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aDuplicateEventIdFailsItsAppendAndLaterAppendsSucceed() {
        AuditEvent first = TestData.event("acme", "read_file", "allowed");
        storage.auditLog().append(List.of(first)).join();

        AuditEvent duplicate = TestData.withEventId(TestData.event("acme", "delete_file", "blocked"), first.eventId());
        CompletableFuture<Void> failed = storage.auditLog().append(List.of(duplicate));
        assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(StorageException.class);

        AuditEvent later = TestData.event("acme", "read_file", "allowed");
        storage.auditLog().append(List.of(later)).join();
        assertThat(storage.auditLog().findByEventId(later.eventId())).isPresent();
        assertThat(storage.auditLog().findByEventId(first.eventId()).orElseThrow().tool()).isEqualTo("read_file");
    }

    @Test
    void aBadAppendDoesNotFailTheOthersInItsTransaction() throws Exception {
        GatedDataSource dataSource = new GatedDataSource(url);
        try (JdbiAuditLog log = new JdbiAuditLog(JdbiStorage.jdbi(dataSource), 100, 500)) {
            AuditEvent existing = TestData.event("acme", "read_file", "allowed");
            log.append(List.of(existing)).join();

            // Hold the writer inside one transaction while three appends queue up behind it.
            dataSource.hold();
            CompletableFuture<Void> holding = log.append(List.of(TestData.event("acme", "read_file", "allowed")));
            dataSource.awaitWaiter();
            AuditEvent innocent1 = TestData.event("acme", "read_file", "allowed");
            AuditEvent innocent2 = TestData.event("acme", "list_files", "warned");
            CompletableFuture<Void> good1 = log.append(List.of(innocent1));
            CompletableFuture<Void> bad = log.append(List.of(TestData.withEventId(TestData.event("acme", "x", "blocked"), existing.eventId())));
            CompletableFuture<Void> good2 = log.append(List.of(innocent2));
            dataSource.open();

            holding.get(10, TimeUnit.SECONDS);
            good1.get(10, TimeUnit.SECONDS);
            good2.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(bad::join).hasCauseInstanceOf(StorageException.class);
            assertThat(log.findByEventId(innocent1.eventId())).isPresent();
            assertThat(log.findByEventId(innocent2.eventId())).isPresent();
        }
    }

    @Test
    void anUnreachableDatabaseFailsTheBatchAndTheWriterCarriesOn() throws Exception {
        GatedDataSource dataSource = new GatedDataSource(url);
        try (JdbiAuditLog log = new JdbiAuditLog(JdbiStorage.jdbi(dataSource), 100, 500)) {
            dataSource.refuseConnections(true);
            CompletableFuture<Void> failed = log.append(List.of(TestData.event("acme", "read_file", "allowed")));
            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);

            dataSource.refuseConnections(false);
            AuditEvent later = TestData.event("acme", "read_file", "allowed");
            log.append(List.of(later)).get(10, TimeUnit.SECONDS);
            assertThat(log.findByEventId(later.eventId())).isPresent();
        }
    }

    @Test
    void aFullQueueFailsAppendsAtOnceInsteadOfBlocking() throws Exception {
        GatedDataSource dataSource = new GatedDataSource(url);
        try (JdbiAuditLog log = new JdbiAuditLog(JdbiStorage.jdbi(dataSource), 2, 500)) {
            dataSource.hold();
            CompletableFuture<Void> inFlight = log.append(List.of(TestData.event("acme", "a", "allowed")));
            dataSource.awaitWaiter();
            CompletableFuture<Void> queued1 = log.append(List.of(TestData.event("acme", "b", "allowed")));
            CompletableFuture<Void> queued2 = log.append(List.of(TestData.event("acme", "c", "allowed")));

            CompletableFuture<Void> refused = log.append(List.of(TestData.event("acme", "d", "allowed")));
            assertThat(refused).isCompletedExceptionally();
            assertThatThrownBy(refused::join).hasCauseInstanceOf(AuditQueueFullException.class)
                    .hasMessageContaining("audit queue is full");

            dataSource.open();
            CompletableFuture.allOf(inFlight, queued1, queued2).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeCommitsWhatIsQueuedThenRefusesAppends() throws Exception {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            futures.add(storage.auditLog().append(List.of(TestData.event("acme", "read_file", "allowed"))));
        }
        AuditLog log = storage.auditLog();
        long writersBefore = writerThreads();
        storage.close();

        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThatThrownBy(() -> log.append(List.of(TestData.event("acme", "read_file", "allowed"))).join())
                .hasCauseInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
        assertThat(writerThreads()).isEqualTo(writersBefore - 1);
        try (Connection observer = DriverManager.getConnection(url)) {
            assertThat(count(observer, "SELECT COUNT(*) FROM audit_events")).isEqualTo(2000);
        }
    }

    /**
     * Appends are queued without a lock while close() runs: each must still be completed, one way
     * or the other, and exactly those that succeeded are stored.
     */
    @Test
    void appendsRacingCloseEachCommitOrFailAndNoneIsStranded() throws Exception {
        int callers = 4;
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            for (int round = 0; round < 20; round++) {
                String roundUrl = TestData.memUrl();
                Storage racing = JdbiStorage.open(StorageSettings.of(roundUrl));
                Queue<CompletableFuture<Void>> appended = new ConcurrentLinkedQueue<>();
                List<Future<?>> loops = new ArrayList<>();
                for (int t = 0; t < callers; t++) {
                    loops.add(threads.submit(() -> {
                        while (true) {
                            CompletableFuture<Void> done = racing.auditLog().append(List.of(TestData.event("acme", "read_file", "allowed")));
                            appended.add(done);
                            if (done.isCompletedExceptionally() && !refusedAsFull(done)) {
                                return;  // refused at once: the log is closed
                            }
                        }
                    }));
                }
                while (appended.size() < 200) {
                    Thread.onSpinWait();
                }
                racing.close();
                for (Future<?> loop : loops) {
                    loop.get(10, TimeUnit.SECONDS);
                }

                assertThat(appended).as("round %d: every append is completed once the log is closed", round)
                        .allMatch(CompletableFuture::isDone);
                long committed = appended.stream().filter(f -> !f.isCompletedExceptionally()).count();
                try (Connection observer = DriverManager.getConnection(roundUrl)) {
                    assertThat(count(observer, "SELECT COUNT(*) FROM audit_events")).as("round %d", round).isEqualTo(committed);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theWriterIsOneNamedDaemonThread() {
        assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(t -> t.getName().equals(WRITER_THREAD) && t.isAlive())
                .isNotEmpty()
                .allMatch(Thread::isDaemon);
    }

    /** An interrupt left set would make the writer's every park return at once: it must clear it and carry on. */
    @Test
    void anInterruptedWriterClearsTheInterruptAndKeepsCommitting() throws Exception {
        storage.auditLog().append(List.of(TestData.event("acme", "read_file", "allowed"))).get(10, TimeUnit.SECONDS);
        Thread writer = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(WRITER_THREAD) && t.isAlive())
                .findFirst().orElseThrow();

        writer.interrupt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writer.isInterrupted() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        assertThat(writer.isInterrupted()).as("the writer cleared its interrupt").isFalse();
        AuditEvent later = TestData.event("acme", "read_file", "allowed");
        storage.auditLog().append(List.of(later)).get(10, TimeUnit.SECONDS);
        assertThat(storage.auditLog().findByEventId(later.eventId())).isPresent();
    }

    @Test
    void severalEventsInOneAppendCommitTogether() {
        AuditEvent a = TestData.event("acme", "read_file", "allowed");
        AuditEvent b = TestData.event("acme", "delete_file", "blocked");
        AuditEvent duplicateOfA = TestData.withEventId(TestData.event("acme", "x", "allowed"), a.eventId());

        assertThatThrownBy(() -> storage.auditLog().append(List.of(a, b, duplicateOfA)).join())
                .hasCauseInstanceOf(StorageException.class);
        assertThat(storage.auditLog().findByEventId(b.eventId())).isEmpty();

        storage.auditLog().append(List.of(a, b)).join();
        assertThat(storage.auditLog().findByEventId(a.eventId())).isPresent();
        assertThat(storage.auditLog().findByEventId(b.eventId())).isPresent();
    }

    private static boolean refusedAsFull(CompletableFuture<Void> refused) {
        try {
            refused.join();
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof AuditQueueFullException;
        }
    }

    private static long writerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(WRITER_THREAD) && t.isAlive())
                .count();
    }

    private static boolean isVisible(Connection observer, String eventId) {
        synchronized (observer) {
            try (PreparedStatement select = observer.prepareStatement("SELECT COUNT(*) FROM audit_events WHERE event_id = ?")) {
                select.setString(1, eventId);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        synchronized (connection) {
            try (ResultSet rs = connection.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
