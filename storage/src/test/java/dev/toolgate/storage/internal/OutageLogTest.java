package dev.toolgate.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutageLogTest {

    @Test
    void logsTheFirstFailureOfEachOutageAndCountsTheRest() {
        OutageLog outage = new OutageLog(TimeUnit.HOURS.toNanos(1));

        assertThat(outage.failed()).as("first failure").isTrue();
        assertThat(outage.failed()).as("repeated within the interval").isFalse();
        assertThat(outage.failed()).isFalse();
        assertThat(outage.failures()).isEqualTo(3);

        assertThat(outage.recovered()).isEqualTo(3);
        assertThat(outage.recovered()).as("no outage since").isZero();
        assertThat(outage.failed()).as("first failure of the next outage").isTrue();
    }

    @Test
    void logsAgainOnceTheIntervalHasPassed() {
        OutageLog outage = new OutageLog(0);

        assertThat(outage.failed()).isTrue();
        assertThat(outage.failed()).isTrue();
    }
}
