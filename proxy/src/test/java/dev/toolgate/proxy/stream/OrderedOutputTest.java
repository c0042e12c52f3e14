package dev.toolgate.proxy.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The order events leave in, whatever completes when. */
class OrderedOutputTest {

    /**
     * Found by ChatStreamFuzzTest (EmbeddedChannel runs queued tasks inside a write): a drain
     * entered again from a write must not jump ahead of the rest of what is being written.
     */
    @Test
    void aDrainEnteredFromAWriteKeepsTheOrder() {
        List<String> written = new ArrayList<>();
        CompletableFuture<List<SseEvent>> second = new CompletableFuture<>();
        OrderedOutput[] output = new OrderedOutput[1];
        // An inline executor, and a write that completes the next decision: drain runs re-entrantly.
        output[0] = new OrderedOutput(Runnable::run, event -> {
            written.add(event.data());
            if (event.data().equals("a1")) {
                second.complete(List.of(SseEvent.data("b")));
                output[0].emit(SseEvent.data("late"));
            }
        }, failure -> written.add("failed: " + failure));
        CompletableFuture<List<SseEvent>> first = new CompletableFuture<>();
        output[0].emitLater(first);
        output[0].emitLater(second);
        output[0].emit(SseEvent.data("c"));
        boolean[] drained = new boolean[1];

        first.complete(List.of(SseEvent.data("a1"), SseEvent.data("a2")));
        output[0].whenDrained(() -> drained[0] = true);

        assertThat(written).containsExactly("a1", "a2", "b", "c", "late");
        assertThat(drained[0]).isTrue();
    }
}
