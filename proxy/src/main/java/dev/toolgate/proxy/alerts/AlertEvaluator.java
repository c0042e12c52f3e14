package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.storage.AlertingStores;
import dev.toolgate.storage.DeliveryTarget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every alert rule on its own thread, every {@code deliveries.evaluate_every}: a rule
 * fires when its condition is breached, once: no repeat while the condition holds, and not again
 * within its window after the last firing; when the condition clears, a recovery notice follows.
 * Messages go to the rule's targets through the {@link DeliveryOutbox}. Rules and targets last read
 * are kept, so that a storage outage can still be alerted on (sent directly, since the outbox is
 * in the database that is down).
 */
public final class AlertEvaluator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

    /** Whether a rule is firing and when it last fired. */
    private static final class RuleState {
        boolean firing;
        Instant lastFired;
        Alert lastAlert;
    }

    private final AlertingStores stores;
    private final AlertSignals signals;
    private final DeliveryOutbox outbox;
    private final DeliverySender sender;
    private final Clock clock;
    private final Duration every;
    private final List<AlertObserver> observers = new CopyOnWriteArrayList<>();
    private final Map<String, RuleState> states = new HashMap<>();
    private List<AlertRule> rules = List.of();
    private Map<String, DeliveryTarget> targets = Map.of();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread worker = new Thread(runnable, "toolgate-alerts");
        worker.setDaemon(true);
        return worker;
    });

    public AlertEvaluator(AlertingStores stores, AlertSignals signals, DeliveryOutbox outbox, DeliverySender sender,
                          Clock clock, Duration every) {
        this.stores = stores;
        this.signals = signals;
        this.outbox = outbox;
        this.sender = sender;
        this.clock = clock;
        this.every = every;
    }

    /** Tells {@code observer} of every firing and recovery from now on. */
    public void observe(AlertObserver observer) {
        observers.add(observer);
    }

    public void start() {
        thread.scheduleWithFixedDelay(() -> {
            try {
                evaluate();
            } catch (RuntimeException e) {
                log.error("Alert evaluation failed: {}", e.toString(), e);
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass over every rule now; the background pass calls it, so may a test. Blocks on storage. */
    public synchronized void evaluate() {
        reloadRules();
        Instant now = clock.instant();
        for (AlertRule rule : rules) {
            RuleState state = states.computeIfAbsent(rule.id(), id -> new RuleState());
            double value;
            try {
                value = signals.measure(rule.workspace(), rule.condition());
            } catch (RuntimeException e) {
                log.warn("Alert rule '{}' could not be evaluated: {}", rule.name(), e.toString());
                continue;
            }
            boolean breached = !Double.isNaN(value) && rule.condition().breached(value);
            if (breached && !state.firing) {
                if (state.lastFired != null && now.isBefore(state.lastFired.plus(rule.condition().window()))) {
                    continue;  // fired within its window already: wait
                }
                state.firing = true;
                state.lastFired = now;
                state.lastAlert = alert(rule, value, now);
                send(rule, AlertMessage.of(state.lastAlert, "alert.fired", UUID.randomUUID().toString()));
                log.warn("Alert '{}' fired in workspace {}: {}", rule.name(), rule.workspace(), state.lastAlert.description());
                observers.forEach(observer -> observer.fired(state.lastAlert));
            } else if (!breached && state.firing) {
                state.firing = false;
                Alert recovery = alert(rule, Double.isNaN(value) ? 0 : value, now);
                send(rule, AlertMessage.of(recovery, "alert.recovered", UUID.randomUUID().toString()));
                log.info("Alert '{}' recovered in workspace {}", rule.name(), rule.workspace());
                observers.forEach(observer -> observer.recovered(recovery));
            }
        }
        states.keySet().retainAll(rules.stream().map(AlertRule::id).collect(Collectors.toSet()));
    }

    /** Whether {@code ruleId} is firing now. */
    public synchronized boolean firing(String ruleId) {
        RuleState state = states.get(ruleId);
        return state != null && state.firing;
    }

    private void reloadRules() {
        try {
            List<AlertRule> read = stores.rules().all().stream().map(AlertRule::from).toList();
            Map<String, DeliveryTarget> byId = new HashMap<>();
            read.stream().map(AlertRule::workspace).distinct()
                    .forEach(workspace -> stores.targets().list(workspace).forEach(target -> byId.put(target.id(), target)));
            rules = read;
            targets = byId;
        } catch (RuntimeException e) {
            log.warn("Alert rules could not be read ({}); evaluating the {} rule(s) read last", e.toString(), rules.size());
        }
    }

    static Alert alert(AlertRule rule, double value, Instant at) {
        AlertCondition condition = rule.condition();
        String description = String.format(Locale.ROOT, "%s: %s (threshold %s, window %ds)", condition.metric().description(),
                shown(value), shown(condition.threshold()), condition.window().toSeconds());
        return new Alert(rule.id(), rule.workspace(), rule.name(), rule.severity(), condition.metric().wireName(), value,
                description, at);
    }

    private static String shown(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
    }

    private void send(AlertRule rule, ObjectNode message) {
        for (String id : rule.targetIds()) {
            DeliveryTarget target = targets.get(id);
            if (target == null) {
                log.warn("Alert rule '{}' names delivery target {}, which no longer exists", rule.name(), id);
                continue;
            }
            try {
                outbox.enqueue(target, message);
            } catch (RuntimeException storageDown) {
                sendDirectly(target, message);
            }
        }
    }

    private void sendDirectly(DeliveryTarget target, ObjectNode message) {
        try {
            sender.send(target, message);
        } catch (DeliverySender.Failure e) {
            log.error("Alert message to target '{}' could not be queued (storage down) nor sent: {}", target.name(),
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
