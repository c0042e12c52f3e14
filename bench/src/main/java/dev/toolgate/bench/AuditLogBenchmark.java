package dev.toolgate.bench;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The audit log's cost per decided call: {@code concurrent} appends of one event each, as that many
 * requests in flight would make, awaited together, on an embedded H2 file database opened the way
 * the gateway opens it. An append is acknowledged once its event is in the audit journal, but the
 * journal's index backlog is bounded, so a sustained run like this one goes at the pace H2 indexes
 * events. Reported per event.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AuditLogBenchmark {
    private static final int BATCH = 32;

    /** Appends in flight at once: 1 is one client waiting for each commit; 32 lets the writer group them. */
    @Param({"1", "32"})
    public int concurrent;

    private Path directory;
    private Storage storage;
    private long sequence;

    @Setup(Level.Trial)
    public void open() throws IOException {
        directory = Files.createTempDirectory("toolgate-audit-bench");
        storage = JdbiStorage.open(StorageSettings.of("jdbc:h2:file:" + directory.resolve("toolgate")));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        storage.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void append() {
        int rounds = BATCH / concurrent;
        for (int round = 0; round < rounds; round++) {
            List<CompletableFuture<Void>> appends = new ArrayList<>(concurrent);
            for (int i = 0; i < concurrent; i++) {
                appends.add(storage.auditLog().append(List.of(event(sequence++))));
            }
            CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).join();
        }
    }

    /** A decided call the size of a typical one: a short path argument, one rule, one reason. */
    private static AuditEvent event(long n) {
        return new AuditEvent(0, EventIds.next(), Instant.now(), n % 10 == 0 ? "ops" : "default", "support-bot",
                "proxy", n % 3 == 0 ? "read_file" : "search_docs", "call_" + n, "{\"path\":\"/srv/reports/q" + (n % 4) + ".txt\"}",
                "allowed", List.of("srv-reads"), List.of("srv-reads: Reads under /srv are fine"), 0.1, null,
                "sha256:5f1d3c0b9a7e", "gpt-4o-mini", 200, 180, null);
    }
}
