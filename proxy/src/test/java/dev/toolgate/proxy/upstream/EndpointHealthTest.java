package dev.toolgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.FailoverConfig.Conditions;
import dev.toolgate.proxy.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When an endpoint is degraded or unhealthy, and how it recovers, on a clock the test moves. */
class EndpointHealthTest {
    private static final long MS = 1_000_000;
    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void errorRateCountsOnlyOnceTheWindowHoldsEnoughRequests() {
        EndpointHealth health = new EndpointHealth(new Conditions(0.5, null, Duration.ofSeconds(60), 4), clock);
        health.record(true, -1, "cannot connect");
        health.record(true, -1, "cannot connect");
        health.record(false, 10 * MS, null);
        assertThat(health.state()).isEqualTo(EndpointHealth.State.HEALTHY);

        health.record(true, 12 * MS, "answered 503 Service Unavailable");
        assertThat(health.state()).isEqualTo(EndpointHealth.State.DEGRADED);
        EndpointHealth.Snapshot snapshot = health.snapshot();
        assertThat(snapshot.requests()).isEqualTo(4);
        assertThat(snapshot.errorRate()).isEqualTo(0.75);
        assertThat(snapshot.meanLatencyMs()).isEqualTo(11.0);
        assertThat(snapshot.p50LatencyMs()).isEqualTo(10.0);
        assertThat(snapshot.p99LatencyMs()).isEqualTo(12.0);
        assertThat(snapshot.lastError()).isEqualTo("answered 503 Service Unavailable");
    }

    @Test
    void failuresAgeOutOfTheWindow() {
        EndpointHealth health = new EndpointHealth(new Conditions(0.5, null, Duration.ofSeconds(60), 1), clock);
        health.record(true, -1, "reset");
        clock.advance(Duration.ofSeconds(30));
        health.record(false, MS, null);
        health.record(false, MS, null);
        assertThat(health.state()).isEqualTo(EndpointHealth.State.HEALTHY);
        health.record(true, -1, "reset");
        assertThat(health.state()).isEqualTo(EndpointHealth.State.HEALTHY);
        health.record(true, -1, "reset");
        assertThat(health.state()).as("3 of 5 failed").isEqualTo(EndpointHealth.State.DEGRADED);

        clock.advance(Duration.ofSeconds(31));
        assertThat(health.snapshot().requests()).isEqualTo(4);
        assertThat(health.state()).as("2 of 4 failed: not over 0.5").isEqualTo(EndpointHealth.State.HEALTHY);
        clock.advance(Duration.ofSeconds(30));
        assertThat(health.snapshot().requests()).isZero();
        assertThat(health.snapshot().meanLatencyMs()).isEqualTo(-1);
    }

    @Test
    void latencyThresholdComparesTheMeanTimeToTheHead() {
        EndpointHealth health = new EndpointHealth(new Conditions(0.5, Duration.ofMillis(100), Duration.ofSeconds(60), 2), clock);
        health.record(false, 150 * MS, null);
        assertThat(health.state()).as("below min_requests").isEqualTo(EndpointHealth.State.HEALTHY);
        health.record(false, 40 * MS, null);
        assertThat(health.state()).as("mean 95 ms").isEqualTo(EndpointHealth.State.HEALTHY);
        health.record(false, 200 * MS, null);
        assertThat(health.state()).as("mean 130 ms").isEqualTo(EndpointHealth.State.DEGRADED);
    }

    @Test
    void aFailedHealthCheckMakesItUnhealthyUntilOnePasses() {
        EndpointHealth health = new EndpointHealth(new Conditions(0.5, null, Duration.ofSeconds(60), 1), clock);
        health.checked(false, "HTTP 503");
        assertThat(health.state()).isEqualTo(EndpointHealth.State.UNHEALTHY);
        assertThat(health.snapshot().lastError()).isEqualTo("health check: HTTP 503");
        health.checked(true, "HTTP 200");
        assertThat(health.state()).isEqualTo(EndpointHealth.State.HEALTHY);
        assertThat(health.snapshot().lastCheckResult()).isEqualTo("HTTP 200");
        assertThat(health.snapshot().lastCheckAt()).isEqualTo(clock.instant());
    }
}
