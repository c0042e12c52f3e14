package dev.toolgate.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Audit events committed per second straight to a database (the path of a shared PostgreSQL), with
 * group commit (the writer puts every append that waits into one transaction, up to 500 events)
 * against one commit per event. {@code clients} threads each append one event and wait for its
 * commit, again and again, as that many requests in flight would. Run by {@code bench/run}:
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.toolgate.bench.AuditCommitRate JDBC_URL [clients] [seconds]</pre>
 */
public final class AuditCommitRate {
    private AuditCommitRate() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        JdbiStorage.open(StorageSettings.of(url)).close();  // the schema
        System.out.println("| commits | clients | events/s |");
        System.out.println("|---|---:|---:|");
        for (int maxBatch : new int[] {500, 1}) {
            double rate = measure(url, clients, seconds, maxBatch);
            System.out.printf("| %s | %d | %.0f |%n", maxBatch == 1 ? "one per event" : "grouped (up to 500 events)", clients, rate);
        }
    }

    private static double measure(String url, int clients, int seconds, int maxBatch) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(4);
        try (HikariDataSource dataSource = new HikariDataSource(config);
             AuditLog log = JdbiStorage.directAuditLog(dataSource, maxBatch, Duration.ofSeconds(30))) {
            run(log, clients, 2);  // warm-up
            long started = System.nanoTime();
            long events = run(log, clients, seconds);
            return events / ((System.nanoTime() - started) / 1e9);
        }
    }

    /** Appends from {@code clients} threads for {@code seconds}; returns how many were committed. */
    private static long run(AuditLog log, int clients, int seconds) throws Exception {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Long>> counts = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                counts.add(threads.submit(() -> {
                    long committed = 0;
                    while (System.nanoTime() < until) {
                        CompletableFuture<Void> done = log.append(List.of(event()));
                        done.join();
                        committed++;
                    }
                    return committed;
                }));
            }
            long total = 0;
            for (Future<Long> count : counts) {
                total += count.get();
            }
            return total;
        } finally {
            threads.shutdownNow();
        }
    }

    private static AuditEvent event() {
        return new AuditEvent(0, EventIds.next(), Instant.now(), "default", "bench-agent", "proxy", "read_file", "call_1",
                "{\"path\":\"/srv/report.txt\"}", "allowed", List.of("srv-reads"), List.of("srv-reads: matched"), 0.0, null,
                "v1", "gpt-4o-mini", 200, 50, null);
    }
}
