package dev.toolgate.proxy.stream;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A {@link StreamSink} that hands events to a writer strictly in order: events emitted behind a
 * pending decision wait for it. Everything runs on {@code loop} (the stream's event loop), so no
 * locking is needed; completions from other threads hop onto it.
 */
public final class OrderedOutput implements StreamSink {
    private final Executor loop;
    private final Consumer<SseEvent> writer;
    private final Consumer<Throwable> onFailure;
    private final ArrayDeque<CompletableFuture<List<SseEvent>>> queue = new ArrayDeque<>();
    private boolean failed;
    private boolean draining;
    private Runnable onDrained;

    /**
     * @param writer receives each event, in order, on {@code loop}
     * @param onFailure called once, on {@code loop}, when a pending segment failed; nothing after it is written
     */
    public OrderedOutput(Executor loop, Consumer<SseEvent> writer, Consumer<Throwable> onFailure) {
        this.loop = loop;
        this.writer = writer;
        this.onFailure = onFailure;
    }

    @Override
    public void emit(SseEvent event) {
        if (queue.isEmpty() && !failed && !draining) {
            writer.accept(event);
        } else {
            // Behind what is pending or being written now; a drain takes it from the queue in turn.
            queue.add(CompletableFuture.completedFuture(List.of(event)));
        }
    }

    @Override
    public void emitLater(CompletableFuture<List<SseEvent>> later) {
        if (later.isDone() && !later.isCompletedExceptionally() && queue.isEmpty() && !failed && !draining) {
            // Known already and nothing ahead of it: written now, without a trip through the loop.
            later.join().forEach(writer);
            return;
        }
        queue.add(later);
        later.whenComplete((events, failure) -> loop.execute(this::drain));
    }

    /** True while some output waits for a decision: the caller may stop reading upstream meanwhile. */
    public boolean holding() {
        return !queue.isEmpty();
    }

    /** Runs {@code action} on the loop once everything queued has been written (at once if nothing is). */
    public void whenDrained(Runnable action) {
        onDrained = action;
        drain();
    }

    private void drain() {
        if (draining) {
            // Re-entered from a write (an executor that runs tasks inline, or a decision completed
            // by one): the drain already running writes what is ready next, in order.
            return;
        }
        draining = true;
        try {
            drainInOrder();
        } finally {
            draining = false;
        }
    }

    private void drainInOrder() {
        while (!failed && !queue.isEmpty() && queue.peek().isDone()) {
            CompletableFuture<List<SseEvent>> head = queue.poll();
            List<SseEvent> events;
            try {
                events = head.join();
            } catch (RuntimeException failure) {
                failed = true;
                queue.clear();
                onFailure.accept(failure.getCause() != null ? failure.getCause() : failure);
                return;
            }
            events.forEach(writer);
        }
        if (!failed && queue.isEmpty() && onDrained != null) {
            Runnable action = onDrained;
            onDrained = null;
            action.run();
        }
    }
}
