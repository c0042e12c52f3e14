package dev.toolgate.proxy.incidents;

import dev.toolgate.proxy.agents.AgentBreaker;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.Incident;
import dev.toolgate.storage.IncidentStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens incidents and adds to them. Grouping: one open incident per workspace and agent; a signal
 * joins it while it comes within {@link #WINDOW} of the incident's last signal, else it opens a new
 * one (the tool and rule are on each timeline entry, not part of the grouping, so a misbehaving
 * agent's blocked calls and its breaker trip read as one story). Fed by committed decisions (as a
 * {@link DecisionObserver}), by breaker changes (as their listener) and by {@link #record} for
 * alerts and failovers; the storage work runs on the {@link BlockingExecutor}, never on the caller.
 * Signals are grouped one at a time in this process; instances sharing a database may each open an
 * incident for the same burst, which costs a duplicate, never a lost signal.
 */
public final class Incidents implements DecisionObserver, Consumer<AgentBreaker.Change> {
    /** How long after an incident's last signal a new one still joins it. */
    public static final Duration WINDOW = Duration.ofMinutes(30);
    private static final Logger log = LoggerFactory.getLogger(Incidents.class);

    private final IncidentStore store;
    private final BlockingExecutor blocking;
    private final Object grouping = new Object();

    public Incidents(IncidentStore store, BlockingExecutor blocking) {
        this.store = store;
        this.blocking = blocking;
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        List<IncidentSignal> signals = events.stream().map(IncidentSignal::of).flatMap(Optional::stream).toList();
        if (!signals.isEmpty()) {
            // One task for the request's signals, so its calls reach the timeline in their order.
            blocking.supply(() -> {
                signals.forEach(this::store);
                return null;
            }).exceptionally(failure -> logFailure(signals.get(0), failure));
        }
    }

    /** A breaker change: a trip opens or joins the agent's incident. */
    @Override
    public void accept(AgentBreaker.Change change) {
        IncidentSignal.of(change).ifPresent(this::record);
    }

    /**
     * Opens or joins the agent's incident with {@code signal}, off the caller's thread. The future
     * holds the incident, or is empty when the signal only joins and no incident was open; it never
     * fails (a failure is logged: incidents are evidence, not part of any decision).
     */
    public CompletableFuture<Optional<Incident>> record(IncidentSignal signal) {
        return blocking.supply(() -> store(signal)).exceptionally(failure -> {
            logFailure(signal, failure);
            return Optional.empty();
        });
    }

    private Optional<Incident> store(IncidentSignal signal) {
        synchronized (grouping) {
            return store.openOrJoin(signal.workspace(), signal.agent(), signal.entry(), WINDOW, signal.opens(),
                    UUID.randomUUID().toString(), "agent '" + signal.agent() + "': " + signal.summary());
        }
    }

    private static Void logFailure(IncidentSignal signal, Throwable failure) {
        log.warn("Could not record the {} of agent '{}' in workspace '{}' as an incident: {}; the decision stands",
                signal.kind(), signal.agent(), signal.workspace(), failure.toString());
        return null;
    }
}
