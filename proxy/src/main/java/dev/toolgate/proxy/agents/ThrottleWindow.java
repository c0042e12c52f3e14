package dev.toolgate.proxy.agents;

import dev.toolgate.config.ThrottleRate;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * A sliding window over one throttled agent's released calls: at most {@code rate.calls()} in any
 * {@code rate.per()}. Remembers at most that many times, so its memory is bounded by the rate.
 */
final class ThrottleWindow {
    private final ThrottleRate rate;
    private final ArrayDeque<Instant> taken = new ArrayDeque<>();

    ThrottleWindow(ThrottleRate rate) {
        this.rate = rate;
    }

    ThrottleRate rate() {
        return rate;
    }

    /** True, and the call counted, when one more call at {@code now} stays within the rate. */
    synchronized boolean tryTake(Instant now) {
        Instant windowStart = now.minus(rate.per());
        while (!taken.isEmpty() && !taken.peekFirst().isAfter(windowStart)) {
            taken.pollFirst();
        }
        if (taken.size() >= rate.calls()) {
            return false;
        }
        taken.addLast(now);
        return true;
    }
}
