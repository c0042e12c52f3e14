package dev.toolgate.storage.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.StorageException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AppendDeadlinesTest {
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    void aFutureStillOpenAtItsDeadlineFailsWithTheOverdueFailure() {
        try (AppendDeadlines deadlines = new AppendDeadlines(SHORT, () -> new StorageException("overdue"))) {
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            deadlines.watch(waiting);

            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StorageException.class).hasMessage("overdue");
        }
    }

    @Test
    void everyOverdueFutureFailsNotOnlyTheOldest() {
        try (AppendDeadlines deadlines = new AppendDeadlines(SHORT, () -> new StorageException("overdue"))) {
            CompletableFuture<Void> committed = new CompletableFuture<>();
            CompletableFuture<Void> first = new CompletableFuture<>();
            CompletableFuture<Void> second = new CompletableFuture<>();
            deadlines.watch(committed);
            deadlines.watch(first);
            deadlines.watch(second);
            committed.complete(null);

            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).cause().hasMessage("overdue");
            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).cause().hasMessage("overdue");
            assertThat(committed).isCompleted().isNotCompletedExceptionally();
        }
    }

    @Test
    void aFutureIsNotFailedBeforeItsDeadline() throws InterruptedException {
        try (AppendDeadlines deadlines = new AppendDeadlines(TimeUnit.SECONDS.toNanos(60), () -> new StorageException("overdue"))) {
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            deadlines.watch(waiting);

            // Several check periods (100 ms at most) pass; the deadline is a minute away.
            Thread.sleep(400);
            assertThat(waiting).isNotDone();
        }
    }

    @Test
    void closingStopsTheChecks() throws InterruptedException {
        AppendDeadlines deadlines = new AppendDeadlines(SHORT, () -> new StorageException("overdue"));
        deadlines.close();
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        deadlines.watch(waiting);

        Thread.sleep(300);
        assertThat(waiting).isNotDone();
    }
}
