package dev.toolgate.config.internal;

import dev.toolgate.config.AgentsConfig;
import dev.toolgate.config.BreakerTrip;
import dev.toolgate.config.ThrottleRate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Binds the {@code agents} section: {@code breaker: { halt_action, throttle_rate, trips: [ { when,
 * count, within, then, rate } ] }}.
 */
final class AgentsBinder {
    static final List<String> KEYS = List.of("breaker");
    private static final List<String> BREAKER_KEYS = List.of("halt_action", "throttle_rate", "trips");
    private static final List<String> TRIP_FIELDS = List.of("when", "count", "within", "then", "rate");
    private static final String EXAMPLE = "{ when: blocked, count: 5, within: 10m, then: halt }"
            + " or { when: calls, count: 20, within: 1m, then: throttle, rate: 10/m }";
    private static final ValueType<AgentsConfig.HaltAction> HALT_ACTION =
            ValueTypes.choice(AgentsConfig.HaltAction.values(), AgentsConfig.HaltAction::wireName);
    private static final ValueType<BreakerTrip.Signal> SIGNAL =
            ValueTypes.choice(BreakerTrip.Signal.values(), BreakerTrip.Signal::wireName);
    private static final ValueType<BreakerTrip.Then> THEN = ValueTypes.choice(BreakerTrip.Then.values(), BreakerTrip.Then::wireName);
    private static final ValueType<ThrottleRate> RATE = new ValueType<>("a rate such as 10/m", ThrottleRate::parse);
    private static final ValueType<Integer> COUNT = ValueTypes.count("a number of tool calls", 1, 1_000_000);
    private static final Duration MAX_WINDOW = Duration.ofDays(1);

    private final NodeReader reader;

    AgentsBinder(NodeReader reader) {
        this.reader = reader;
    }

    AgentsConfig bind(MappingReader section) {
        AgentsConfig defaults = AgentsConfig.DEFAULTS;
        MappingReader breaker = section.section("breaker", BREAKER_KEYS);
        AgentsConfig.HaltAction haltAction = breaker.get("halt_action", HALT_ACTION, defaults.haltAction());
        ThrottleRate throttleRate = breaker.get("throttle_rate", RATE, defaults.throttleRate());
        List<BreakerTrip> trips = new ArrayList<>();
        Node node = breaker.node("trips");
        List<Node> entries = node == null || NodeReader.isNull(node) ? null
                : reader.sequence(node, breaker.path("trips"), "a list of trips such as " + EXAMPLE);
        for (int i = 0; entries != null && i < entries.size(); i++) {
            String path = MappingReader.element(breaker.path("trips"), i);
            MappingReader entry = reader.mapping(entries.get(i), path, TRIP_FIELDS);
            BreakerTrip trip = entry == null ? null : trip(entry, throttleRate == null ? defaults.throttleRate() : throttleRate);
            if (trip != null) {
                trips.add(trip);
            }
        }
        return new AgentsConfig(haltAction == null ? defaults.haltAction() : haltAction,
                throttleRate == null ? defaults.throttleRate() : throttleRate, trips);
    }

    private BreakerTrip trip(MappingReader entry, ThrottleRate defaultRate) {
        BreakerTrip.Signal when = entry.require("when", SIGNAL);
        Integer count = entry.require("count", COUNT);
        Duration within = entry.require("within", ValueTypes.DURATION);
        BreakerTrip.Then then = entry.require("then", THEN);
        ThrottleRate rate = entry.get("rate", RATE, null);
        if (within != null && (within.isZero() || within.compareTo(MAX_WINDOW) > 0)) {
            reader.problems().add(entry.node("within"), entry.path("within"), within.toMillis() + "ms (expected: a duration from 1ms to 24h)");
            return null;
        }
        if (rate != null && then != null && then != BreakerTrip.Then.THROTTLE) {
            reader.problems().add(entry.node("rate"), entry.path("rate"), "set for then: " + then.wireName()
                    + " (expected: only with then: throttle)");
            return null;
        }
        if (when == null || count == null || within == null || then == null) {
            return null;
        }
        return new BreakerTrip(when, count, within, then, then == BreakerTrip.Then.THROTTLE ? (rate != null ? rate : defaultRate) : null);
    }
}
