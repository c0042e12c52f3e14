package dev.toolgate.proxy.upstream;

import dev.toolgate.config.FailoverConfig.Conditions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * What one gateway instance saw of one upstream endpoint: its requests within the window (failed or
 * not, time to the answer's head) and the result of its last health check. Kept in memory only:
 * each instance judges the endpoints by its own traffic. Shared by every event loop, so guarded by
 * its own lock, held for a few field updates per request.
 */
public final class EndpointHealth {
    /** Bounds the memory of a busy endpoint: the oldest samples go first. */
    private static final int MAX_SAMPLES = 10_000;

    /** Where an endpoint stands, in the order endpoints are tried. */
    public enum State {
        HEALTHY, DEGRADED, UNHEALTHY;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record Sample(Instant at, boolean failed, long latencyNanos) {
    }

    /** The endpoint as {@code GET /api/upstreams} shows it; latencies in milliseconds, -1 without samples. */
    public record Snapshot(State state, int requests, double errorRate, double meanLatencyMs, double p50LatencyMs,
                           double p99LatencyMs, String lastError, Instant lastErrorAt, Instant lastCheckAt, Boolean lastCheckOk,
                           String lastCheckResult) {
    }

    private final Conditions conditions;
    private final Clock clock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private int failures;
    private int timed;
    private long latencySumNanos;
    private String lastError;
    private Instant lastErrorAt;
    private Instant lastCheckAt;
    private Boolean lastCheckOk;
    private String lastCheckResult;

    public EndpointHealth(Conditions conditions, Clock clock) {
        this.conditions = conditions;
        this.clock = clock;
    }

    /** One request's outcome; {@code latencyNanos} to the answer's head, -1 when none came; {@code error} null unless failed. */
    public synchronized void record(boolean failed, long latencyNanos, String error) {
        Instant now = clock.instant();
        if (samples.size() == MAX_SAMPLES) {
            forget(samples.removeFirst());
        }
        Sample sample = new Sample(now, failed, latencyNanos);
        samples.addLast(sample);
        if (failed) {
            failures++;
            lastError = error;
            lastErrorAt = now;
        }
        if (latencyNanos >= 0) {
            timed++;
            latencySumNanos += latencyNanos;
        }
    }

    /** A health check's result: a failed one takes the endpoint out of rotation until one passes. */
    public synchronized void checked(boolean ok, String result) {
        lastCheckAt = clock.instant();
        lastCheckOk = ok;
        lastCheckResult = result;
        if (!ok) {
            lastError = "health check: " + result;
            lastErrorAt = lastCheckAt;
        }
    }

    public synchronized State state() {
        prune();
        if (Boolean.FALSE.equals(lastCheckOk)) {
            return State.UNHEALTHY;
        }
        return overThreshold() ? State.DEGRADED : State.HEALTHY;
    }

    private boolean overThreshold() {
        if (samples.size() < conditions.minRequests()) {
            return false;
        }
        if ((double) failures / samples.size() > conditions.errorRateThreshold()) {
            return true;
        }
        Duration latency = conditions.latencyThreshold();
        return latency != null && timed > 0 && latencySumNanos / timed > latency.toNanos();
    }

    public synchronized Snapshot snapshot() {
        State state = state();
        long[] latencies = samples.stream().mapToLong(Sample::latencyNanos).filter(nanos -> nanos >= 0).toArray();
        Arrays.sort(latencies);
        return new Snapshot(state, samples.size(), samples.isEmpty() ? 0 : (double) failures / samples.size(),
                timed == 0 ? -1 : millis(latencySumNanos / timed), percentile(latencies, 50), percentile(latencies, 99),
                lastError, lastErrorAt, lastCheckAt, lastCheckOk, lastCheckResult);
    }

    /** Drops what fell out of the window: an endpoint that stopped failing recovers as its failures age. */
    private void prune() {
        Instant cutoff = clock.instant().minus(conditions.window());
        for (Iterator<Sample> oldest = samples.iterator(); oldest.hasNext(); ) {
            Sample sample = oldest.next();
            if (!sample.at().isBefore(cutoff)) {
                return;
            }
            oldest.remove();
            forget(sample);
        }
    }

    private void forget(Sample sample) {
        if (sample.failed()) {
            failures--;
        }
        if (sample.latencyNanos() >= 0) {
            timed--;
            latencySumNanos -= sample.latencyNanos();
        }
    }

    private static double percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return millis(sorted[Math.max(0, rank)]);
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
