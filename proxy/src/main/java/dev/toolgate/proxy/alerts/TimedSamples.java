package dev.toolgate.proxy.alerts;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Recent observations (whether each was bad, and optionally a value such as a latency in
 * milliseconds) counted in ten-second slots over the last hour, the longest alert window: enough
 * for a rate or a 95th percentile over any window from ten seconds to an hour, in fixed memory
 * however busy the gateway is. Adding is lock-free (the event loops add on every request); a slot
 * is cleared under a lock when its ten seconds come round again. Values are kept in a log-linear
 * histogram, so the percentile is exact below 64 and within 1/16 of the value above. In memory, per
 * process: each instance alerts on what it sees.
 */
final class TimedSamples {
    static final Duration KEPT_FOR = Duration.ofHours(1);
    private static final long SLOT_MILLIS = 10_000;
    private static final int SLOTS = (int) (KEPT_FOR.toMillis() / SLOT_MILLIS);
    /** Values below this each have a bin of their own; above it, 16 bins per power of two up to 2^25 (9 hours in ms). */
    private static final int EXACT_BELOW = 64;
    private static final int SUB_BINS = 16;
    private static final int BINS = EXACT_BELOW + (25 - 6) * SUB_BINS;

    /** Over a window: how many, how many bad, and the 95th percentile value. */
    record Summary(int count, int bad, long p95) {
        double badShare() {
            return count == 0 ? 0 : (double) bad / count;
        }
    }

    private final Clock clock;
    private final boolean keepsValues;
    /** The slot number (time / SLOT_MILLIS) each slot counts now; written after the slot is cleared. */
    private final AtomicLongArray slotOf = new AtomicLongArray(SLOTS);
    private final AtomicLongArray counts = new AtomicLongArray(SLOTS);
    private final AtomicLongArray bads = new AtomicLongArray(SLOTS);
    private final AtomicLongArray histogram;

    /** {@code keepsValues}: whether {@link Summary#p95} is wanted (it costs a histogram per slot). */
    TimedSamples(Clock clock, boolean keepsValues) {
        this.clock = clock;
        this.keepsValues = keepsValues;
        this.histogram = keepsValues ? new AtomicLongArray(SLOTS * BINS) : null;
        for (int i = 0; i < SLOTS; i++) {
            slotOf.set(i, -1);
        }
    }

    void add(boolean bad, long value) {
        long slotNumber = clock.millis() / SLOT_MILLIS;
        int slot = (int) (slotNumber % SLOTS);
        if (slotOf.get(slot) != slotNumber) {
            claim(slot, slotNumber);
        }
        counts.incrementAndGet(slot);
        if (bad) {
            bads.incrementAndGet(slot);
        }
        if (keepsValues) {
            histogram.incrementAndGet(slot * BINS + bin(value));
        }
    }

    /** Clears a slot last used an hour ago (or never) for {@code slotNumber}; once, whoever gets here first. */
    private synchronized void claim(int slot, long slotNumber) {
        if (slotOf.get(slot) >= slotNumber) {
            return;
        }
        counts.set(slot, 0);
        bads.set(slot, 0);
        if (keepsValues) {
            for (int i = slot * BINS; i < (slot + 1) * BINS; i++) {
                histogram.set(i, 0);
            }
        }
        slotOf.set(slot, slotNumber);
    }

    /** The slots that began within {@code window} of now, the current one included. */
    Summary over(Duration window) {
        long now = clock.millis() / SLOT_MILLIS;
        long slotsBack = Math.min(SLOTS, Math.max(1, window.toMillis() / SLOT_MILLIS));
        long count = 0;
        long bad = 0;
        long[] values = keepsValues ? new long[BINS] : null;
        for (long slotNumber = now - slotsBack + 1; slotNumber <= now; slotNumber++) {
            int slot = (int) Math.floorMod(slotNumber, (long) SLOTS);
            if (slotOf.get(slot) != slotNumber) {
                continue;
            }
            count += counts.get(slot);
            bad += bads.get(slot);
            if (values != null) {
                for (int i = 0; i < BINS; i++) {
                    values[i] += histogram.get(slot * BINS + i);
                }
            }
        }
        if (count == 0) {
            return new Summary(0, 0, 0);
        }
        return new Summary((int) Math.min(Integer.MAX_VALUE, count), (int) Math.min(Integer.MAX_VALUE, bad),
                values == null ? 0 : percentile(values, count, 0.95));
    }

    private static long percentile(long[] values, long count, double share) {
        long rank = (long) Math.ceil(count * share);
        long seen = 0;
        for (int i = 0; i < BINS; i++) {
            seen += values[i];
            if (seen >= rank) {
                return lowestOf(i);
            }
        }
        return lowestOf(BINS - 1);
    }

    static int bin(long value) {
        if (value < EXACT_BELOW) {
            return (int) Math.max(0, value);
        }
        int power = 63 - Long.numberOfLeadingZeros(value);  // 6 and up
        int sub = (int) ((value >>> (power - 4)) & (SUB_BINS - 1));
        return Math.min(BINS - 1, EXACT_BELOW + (power - 6) * SUB_BINS + sub);
    }

    /** The smallest value that falls in {@code bin}. */
    static long lowestOf(int bin) {
        if (bin < EXACT_BELOW) {
            return bin;
        }
        int power = 6 + (bin - EXACT_BELOW) / SUB_BINS;
        int sub = (bin - EXACT_BELOW) % SUB_BINS;
        return (1L << power) + ((long) sub << (power - 4));
    }
}
