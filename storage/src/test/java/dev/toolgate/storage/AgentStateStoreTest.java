package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.ChangeFeed.Topic;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agents' circuit-breaker states: stored per workspace, versioned, seen by a second instance. */
class AgentStateStoreTest {
    private Storage a;
    private Storage b;

    @BeforeEach
    void open() {
        String url = TestData.memUrl();
        a = JdbiStorage.open(StorageSettings.of(url), TestData.FIXED_CLOCK);
        b = JdbiStorage.open(StorageSettings.of(url), TestData.FIXED_CLOCK);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void aChangeIsStoredVersionedAndAnnouncedToOtherInstances() {
        long before = b.changes().versions().get(Topic.AGENTS);

        AgentState throttled = a.agentStates().change("acme", "bot", BreakerState.THROTTLE, "loop", "api:ops", 10,
                Duration.ofMinutes(1), false).orElseThrow();

        assertThat(throttled.version()).isEqualTo(1);
        assertThat(b.agentStates().find("acme", "bot")).contains(throttled);
        assertThat(b.agentStates().find("other", "bot")).isEmpty();
        assertThat(b.changes().versions().get(Topic.AGENTS)).isEqualTo(before + 1);

        AgentState resumed = b.agentStates().change("acme", "bot", BreakerState.MONITORING, null, "api:ops", 0, Duration.ZERO, false)
                .orElseThrow();
        assertThat(resumed.version()).isEqualTo(2);
        assertThat(resumed.throttleCalls()).isZero();
        assertThat(a.agentStates().all()).containsExactly(resumed);
    }

    @Test
    void anAutomaticTripOnlyEverMakesAnAgentStricter() {
        a.agentStates().change("acme", "bot", BreakerState.HALT, null, "api:ops", 0, Duration.ZERO, false);
        long version = a.changes().versions().get(Topic.AGENTS);

        assertThat(a.agentStates().change("acme", "bot", BreakerState.THROTTLE, null, "breaker", 5, Duration.ofMinutes(1), true))
                .isEmpty();
        assertThat(a.agentStates().change("acme", "bot", BreakerState.HALT, null, "breaker", 0, Duration.ZERO, true)).isEmpty();
        assertThat(a.changes().versions().get(Topic.AGENTS)).as("nothing changed, nothing moves").isEqualTo(version);
        assertThat(a.agentStates().change("acme", "bot", BreakerState.KILLED, null, "breaker", 0, Duration.ZERO, true))
                .hasValueSatisfying(killed -> assertThat(killed.state()).isEqualTo(BreakerState.KILLED));
    }
}
