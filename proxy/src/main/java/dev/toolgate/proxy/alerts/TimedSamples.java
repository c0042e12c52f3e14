package dev.toolgate.proxy.alerts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Recent observations (a time, whether it was bad, a value) kept for at most an hour, the longest
 * alert window, and at most {@link #MAX_KEPT} of them: enough for a rate or a percentile. In memory,
 * per process: each instance alerts on what it sees.
 */
final class TimedSamples {
    static final Duration KEPT_FOR = Duration.ofHours(1);
    private static final int MAX_KEPT = 100_000;

    private record Sample(Instant at, boolean bad, long value) {
    }

    /** Over a window: how many, how many bad, and the 95th percentile value. */
    record Summary(int count, int bad, long p95) {
        double badShare() {
            return count == 0 ? 0 : (double) bad / count;
        }
    }

    private final Clock clock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    TimedSamples(Clock clock) {
        this.clock = clock;
    }

    synchronized void add(boolean bad, long value) {
        samples.addLast(new Sample(clock.instant(), bad, value));
        while (samples.size() > MAX_KEPT) {
            samples.removeFirst();
        }
    }

    synchronized Summary over(Duration window) {
        Instant now = clock.instant();
        Instant oldest = now.minus(KEPT_FOR);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(oldest)) {
            samples.removeFirst();
        }
        Instant since = now.minus(window);
        int bad = 0;
        List<Long> values = new ArrayList<>();
        for (Sample sample : samples) {
            if (!sample.at().isBefore(since)) {
                values.add(sample.value());
                if (sample.bad()) {
                    bad++;
                }
            }
        }
        if (values.isEmpty()) {
            return new Summary(0, 0, 0);
        }
        Collections.sort(values);
        long p95 = values.get(Math.min(values.size() - 1, (int) Math.ceil(values.size() * 0.95) - 1));
        return new Summary(values.size(), bad, p95);
    }
}
