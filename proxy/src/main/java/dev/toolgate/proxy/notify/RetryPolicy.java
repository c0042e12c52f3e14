package dev.toolgate.proxy.notify;

import java.time.Duration;

/** How often and how patiently a failed delivery is tried again: exponential backoff, capped. */
record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** The wait after failed attempt number {@code attempt} (1-based): base, 2×base, 4×base, … up to max. */
    Duration delayAfter(int attempt) {
        int doublings = Math.min(attempt - 1, 30);
        Duration delay = baseDelay.multipliedBy(1L << doublings);
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
