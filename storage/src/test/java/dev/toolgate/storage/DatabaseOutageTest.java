package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.audit.internal.JdbiAuditLog;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database server that goes away and comes back, or hangs: operations fail (never hang past the
 * storage timeout) while it is gone, and the very first operations after it returns succeed,
 * because pooled connections to the old server are dropped rather than lent.
 */
class DatabaseOutageTest {
    @TempDir
    Path baseDir;

    private Server server;
    private Storage storage;

    @AfterEach
    void stop() {
        if (storage != null) {
            storage.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private int startServer(int port) throws SQLException {
        server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists", "-baseDir", baseDir.toString()).start();
        return server.getPort();
    }

    @Test
    void operationsFailWhileTheServerIsDownAndTheFirstOnesAfterItReturnsSucceed() throws Exception {
        int port = startServer(0);
        storage = JdbiStorage.open(new StorageSettings("jdbc:h2:tcp://localhost:" + port + "/toolgate", "sa", "", Duration.ofSeconds(5)));
        // Several connections in the pool, each connected to the server that is about to go away.
        runConcurrently(8, () -> storage.auditLog().append(List.of(TestData.event("acme", "read_file", "allowed"))).join());
        runConcurrently(8, () -> storage.approvals().create(TestData.approval("acme", "digest-before")));

        server.stop();
        CompletableFuture<Void> whileDown = storage.auditLog().append(List.of(TestData.event("acme", "read_file", "allowed")));
        assertThatThrownBy(() -> whileDown.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StorageException.class);
        assertThatThrownBy(() -> storage.approvals().create(TestData.approval("acme", "digest-down"))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(storage::ping).isInstanceOf(StorageException.class);

        startServer(port);
        AuditEvent after = TestData.event("acme", "read_file", "allowed");
        storage.auditLog().append(List.of(after)).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            storage.approvals().create(TestData.approval("acme", "digest-after-" + i));
        }
        runConcurrently(8, () -> storage.auditLog().append(List.of(TestData.event("acme", "list_files", "allowed"))).join());
        assertThat(storage.auditLog().findByEventId(after.eventId())).isPresent();
        assertThat(storage.approvals().countByStatus("acme", ApprovalStatus.PENDING)).isEqualTo(8 + 20);
    }

    @Test
    void anAppendFailsAtItsDeadlineWhenTheDatabaseHangsAndIsCommittedOnceItAnswers() throws Exception {
        String url = TestData.memUrl();
        JdbiStorage.open(StorageSettings.of(url)).close();  // the schema
        GatedDataSource dataSource = new GatedDataSource(url);
        try (JdbiAuditLog log = new JdbiAuditLog(JdbiStorage.jdbi(dataSource), 100, 500, Duration.ofMillis(300))) {
            dataSource.hold();
            AuditEvent late = TestData.event("acme", "read_file", "allowed");
            CompletableFuture<Void> waiting = log.append(List.of(late));
            dataSource.awaitWaiter();

            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StorageException.class).hasMessageContaining("within 300 ms");

            dataSource.open();
            AuditEvent next = TestData.event("acme", "read_file", "allowed");
            log.append(List.of(next)).get(10, TimeUnit.SECONDS);
            // The late event was committed, in order, before the next one: its decision was made and is on record.
            assertThat(log.findByEventId(late.eventId())).isPresent();
            assertThat(log.findByEventId(next.eventId())).isPresent();
        }
    }

    private static void runConcurrently(int threads, Runnable work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                done.add(pool.submit(work));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
