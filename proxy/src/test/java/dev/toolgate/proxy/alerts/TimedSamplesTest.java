package dev.toolgate.proxy.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.proxy.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Rates and percentiles over windows of ten-second slots, an hour kept, counted without locks. */
class TimedSamplesTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    @Test
    void aWindowCountsWhatWasAddedWithinIt() {
        TimedSamples samples = new TimedSamples(clock, false);
        samples.add(true, 0);
        samples.add(false, 0);
        clock.advance(Duration.ofMinutes(2));
        samples.add(false, 0);
        samples.add(false, 0);

        assertThat(samples.over(Duration.ofSeconds(60))).isEqualTo(new TimedSamples.Summary(2, 0, 0));
        assertThat(samples.over(Duration.ofMinutes(5))).isEqualTo(new TimedSamples.Summary(4, 1, 0));
        assertThat(samples.over(Duration.ofMinutes(5)).badShare()).isEqualTo(0.25);
    }

    @Test
    void samplesOlderThanAnHourAreGoneEvenWhenTheirSlotComesRoundAgain() {
        TimedSamples samples = new TimedSamples(clock, false);
        samples.add(true, 0);
        clock.advance(Duration.ofMinutes(61));

        assertThat(samples.over(Duration.ofHours(1)).count()).isZero();

        clock.advance(Duration.ofMinutes(59));  // two hours on: the first sample's slot is this one again
        samples.add(false, 0);
        assertThat(samples.over(Duration.ofHours(1))).isEqualTo(new TimedSamples.Summary(1, 0, 0));
    }

    @Test
    void theNinetyFifthPercentileIsExactForSmallValuesAndCloseForLargeOnes() {
        TimedSamples samples = new TimedSamples(clock, true);
        for (int value = 1; value <= 40; value++) {
            samples.add(false, value);
        }
        assertThat(samples.over(Duration.ofMinutes(1)).p95()).isEqualTo(38);

        TimedSamples slow = new TimedSamples(clock, true);
        for (int i = 0; i < 95; i++) {
            slow.add(false, 100);
        }
        for (int i = 0; i < 5; i++) {
            slow.add(false, 30_000);
        }
        assertThat(slow.over(Duration.ofMinutes(1)).p95()).isEqualTo(100);
        slow.add(false, 30_000);
        assertThat(slow.over(Duration.ofMinutes(1)).p95()).isBetween(30_000L * 15 / 16, 30_000L);
    }

    @Test
    void binsCoverEveryValueInOrder() {
        long previousLowest = -1;
        for (long value : new long[] {0, 1, 63, 64, 65, 127, 128, 1_000, 65_535, 1L << 24, (1L << 25) - 1}) {
            int bin = TimedSamples.bin(value);
            assertThat(TimedSamples.lowestOf(bin)).as("value %d", value).isLessThanOrEqualTo(value)
                    .isGreaterThanOrEqualTo(value - value / 16).isGreaterThanOrEqualTo(previousLowest);
            previousLowest = TimedSamples.lowestOf(bin);
        }
        assertThat(TimedSamples.bin(Long.MAX_VALUE)).isEqualTo(TimedSamples.bin(1L << 40));
        assertThat(TimedSamples.bin(-5)).isZero();
    }

    @Test
    void concurrentAddsAreAllCounted() throws InterruptedException {
        TimedSamples samples = new TimedSamples(clock, true);
        int threads = 4;
        int each = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> adders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread adder = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    samples.add(i % 10 == 0, i % 50);
                }
            });
            adder.start();
            adders.add(adder);
        }
        start.countDown();
        for (Thread adder : adders) {
            adder.join();
        }

        TimedSamples.Summary summary = samples.over(Duration.ofMinutes(5));
        assertThat(summary.count()).isEqualTo(threads * each);
        assertThat(summary.bad()).isEqualTo(threads * each / 10);
        assertThat(summary.p95()).isEqualTo(47);
    }
}
