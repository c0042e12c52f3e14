package dev.toolgate.proxy.agents;

import dev.toolgate.config.BreakerTrip;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AgentState;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.BreakerState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The automatic trips of {@code agents.breaker.trips}: counts each agent's decided tool calls (and
 * blocked ones) in a sliding window per trip, and when one fills, moves the agent to the trip's
 * state, never to a milder one than it is in. Counted per instance, from the decisions this
 * instance made; the trip itself is stored and so reaches every instance.
 */
public final class BreakerTrips implements DecisionObserver {
    private static final Logger log = LoggerFactory.getLogger(BreakerTrips.class);
    /** The gate's decisions on tool calls; an approver's (approved, denied, expired) is not a call of the agent. */
    private static final Set<String> DECIDED = Set.of("allowed", "warned", "blocked", "pending");

    private final List<BreakerTrip> trips;
    private final AgentBreaker breaker;
    private final BlockingExecutor blocking;
    private final Clock clock;
    /** Per agent, per trip (by index), the times of the latest counted calls: at most the trip's count. */
    private final Map<AgentBreaker.AgentKey, Counts> counts = new ConcurrentHashMap<>();

    public BreakerTrips(List<BreakerTrip> trips, AgentBreaker breaker, BlockingExecutor blocking, Clock clock) {
        this.trips = List.copyOf(trips);
        this.breaker = breaker;
        this.blocking = blocking;
        this.clock = clock;
    }

    /** One agent's windows, one per trip. */
    private final class Counts {
        private final List<ArrayDeque<Instant>> windows = trips.stream().map(trip -> new ArrayDeque<Instant>()).toList();

        /** The trip that this call fills, if any; its window starts over. */
        synchronized BreakerTrip count(AuditEvent event, Instant now) {
            BreakerTrip fired = null;
            for (int i = 0; i < trips.size(); i++) {
                BreakerTrip trip = trips.get(i);
                if (trip.when() == BreakerTrip.Signal.BLOCKED && !event.decision().equals("blocked")) {
                    continue;
                }
                ArrayDeque<Instant> window = windows.get(i);
                Instant start = now.minus(trip.within());
                while (!window.isEmpty() && !window.peekFirst().isAfter(start)) {
                    window.pollFirst();
                }
                window.addLast(now);
                if (window.size() >= trip.count()) {
                    window.clear();
                    if (fired == null || target(trip).stricterThan(target(fired))) {
                        fired = trip;
                    }
                }
            }
            return fired;
        }
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        if (trips.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        for (AuditEvent event : events) {
            if (!DECIDED.contains(event.decision())) {
                continue;
            }
            AgentBreaker.AgentKey key = new AgentBreaker.AgentKey(event.workspace(), event.agent());
            BreakerTrip fired = counts.computeIfAbsent(key, k -> new Counts()).count(event, now);
            if (fired != null && stricterThanNow(key, fired)) {
                trip(key, fired);
            }
        }
    }

    private boolean stricterThanNow(AgentBreaker.AgentKey key, BreakerTrip trip) {
        BreakerState now = breaker.state(key.workspace(), key.agent()).map(AgentState::state).orElse(BreakerState.MONITORING);
        return target(trip).stricterThan(now);
    }

    /** Off the committing thread: storing, auditing and announcing the change all block. */
    private void trip(AgentBreaker.AgentKey key, BreakerTrip trip) {
        blocking.storageWork(() -> breaker.change(key.workspace(), key.agent(), target(trip), "automatic: " + trip.describe(),
                        AgentBreaker.AUTOMATIC, trip.rate(), true))
                .whenComplete((changed, failure) -> {
                    if (failure != null) {
                        log.error("Agent '{}' in workspace '{}' reached '{}' but its breaker could not be moved (storage: {});"
                                + " it trips again at the next call past the limit", key.agent(), key.workspace(), trip.describe(),
                                failure.toString());
                    }
                });
    }

    static BreakerState target(BreakerTrip trip) {
        return switch (trip.then()) {
            case WARN -> BreakerState.WARN;
            case THROTTLE -> BreakerState.THROTTLE;
            case HALT -> BreakerState.HALT;
            case KILL -> BreakerState.KILLED;
        };
    }
}
