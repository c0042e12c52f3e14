package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code agents} section: the per-agent circuit breaker and its automatic trips. */
class AgentsConfigTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheSectionTheBreakerIsManualOnly() throws ConfigException {
        assertThat(ConfigFiles.load(dir, ONE_KEY).agents()).isEqualTo(AgentsConfig.DEFAULTS);
    }

    @Test
    void tripsAreRead() throws ConfigException {
        AgentsConfig agents = ConfigFiles.load(dir, ONE_KEY + """
                agents:
                  breaker:
                    halt_action: block
                    throttle_rate: 30/h
                    trips:
                      - { when: blocked, count: 5, within: 10m, then: halt }
                      - { when: calls, count: 20, within: 1m, then: throttle, rate: 10/m }
                      - { when: calls, count: 500, within: 1h, then: throttle }
                """).agents();

        assertThat(agents.haltAction()).isEqualTo(AgentsConfig.HaltAction.BLOCK);
        assertThat(agents.throttleRate()).isEqualTo(new ThrottleRate(30, Duration.ofHours(1)));
        assertThat(agents.trips()).containsExactly(
                new BreakerTrip(BreakerTrip.Signal.BLOCKED, 5, Duration.ofMinutes(10), BreakerTrip.Then.HALT, null),
                new BreakerTrip(BreakerTrip.Signal.CALLS, 20, Duration.ofMinutes(1), BreakerTrip.Then.THROTTLE,
                        new ThrottleRate(10, Duration.ofMinutes(1))),
                new BreakerTrip(BreakerTrip.Signal.CALLS, 500, Duration.ofHours(1), BreakerTrip.Then.THROTTLE,
                        new ThrottleRate(30, Duration.ofHours(1))));
        assertThat(agents.trips().get(0).describe()).isEqualTo("5 blocked tool calls within 10m → halt");
    }

    @Test
    void ratesReadAndWriteTheSameWay() {
        assertThat(ThrottleRate.parse("5/30s")).isEqualTo(new ThrottleRate(5, Duration.ofSeconds(30)));
        assertThat(ThrottleRate.parse("5/30s").toString()).isEqualTo("5/30s");
        assertThat(ThrottleRate.parse("10/m").toString()).isEqualTo("10/m");
        assertThat(ThrottleRate.parse("100/2h").toString()).isEqualTo("100/2h");
    }

    @Test
    void badTripsAreReportedWithTheirPlace() {
        assertThat(problems(dir, ONE_KEY + """
                agents:
                  breaker:
                    halt_action: pause
                    trips:
                      - { when: denied, count: 5, within: 10m, then: halt }
                      - { when: blocked, count: 0, within: 10m, then: halt }
                      - { when: blocked, count: 5, within: 10m, then: halt, rate: 10/m }
                      - { when: calls, count: 5, within: 1m, then: throttle, rate: fast }
                      - { when: calls, count: 5, then: warn }
                """)).hasSize(6)
                .anySatisfy(problem -> assertThat(problem).contains("agents.breaker.halt_action").contains("approve, block"))
                .anySatisfy(problem -> assertThat(problem).contains("agents.breaker.trips[0].when").contains("blocked, calls"))
                .anySatisfy(problem -> assertThat(problem).contains("agents.breaker.trips[1].count"))
                .anySatisfy(problem -> assertThat(problem).contains("agents.breaker.trips[2].rate").contains("only with then: throttle"))
                .anySatisfy(problem -> assertThat(problem).contains("agents.breaker.trips[3].rate").contains("10/m"))
                .anySatisfy(problem -> assertThat(problem).contains("agents.breaker.trips[4]").contains("within"));
    }
}
