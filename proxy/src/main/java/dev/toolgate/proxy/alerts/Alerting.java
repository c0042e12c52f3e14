package dev.toolgate.proxy.alerts;

import dev.toolgate.config.DeliveriesConfig;
import dev.toolgate.proxy.agents.AgentBreaker;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.notify.WebhookScreen;
import dev.toolgate.proxy.notify.Notifier;
import dev.toolgate.storage.AlertingStores;
import dev.toolgate.storage.Storage;
import java.time.Clock;

/**
 * Alerts and delivery targets, wired: the webhook screen, the sender, the outbox and its pump,
 * the signals, the evaluator and the endpoints. Delivery targets are the file's
 * ({@link FileDeliveryTargets}) and the API's together. Built once by the gateway; closing it stops the
 * evaluator and the pump (queued messages stay in the outbox for the next start).
 */
public final class Alerting implements AutoCloseable {
    private final WebhookScreen screen;
    private final DeliverySender sender;
    private final DeliveryOutbox outbox;
    private final AlertSignals signals;
    private final AlertEvaluator evaluator;
    private final DeliveriesEndpoints deliveries;
    private final AlertRulesEndpoints rules;

    public Alerting(DeliveriesConfig config, Storage storage, AgentBreaker breaker, Notifier notifier, BlockingExecutor blocking,
                    Clock clock) {
        this.screen = new WebhookScreen(config);
        this.sender = new DeliverySender(screen, notifier, clock);
        AlertingStores stored = storage.alerting();
        AlertingStores stores = new AlertingStores(FileDeliveryTargets.over(stored.targets(), config.targets(), screen,
                clock.instant()), stored.rules(), stored.outbox());
        this.outbox = new DeliveryOutbox(stores.outbox(), sender, clock);
        this.signals = new AlertSignals(clock, storage, breaker);
        this.evaluator = new AlertEvaluator(stores, signals, outbox, sender, clock, config.evaluateEvery());
        this.deliveries = new DeliveriesEndpoints(stores.targets(), screen, sender, blocking, clock);
        this.rules = new AlertRulesEndpoints(stores, sender, evaluator, blocking, clock);
    }

    /** Starts the outbox pump (sending what a previous run left) and the periodic evaluation. */
    public Alerting start() {
        outbox.start();
        evaluator.start();
        return this;
    }

    public WebhookScreen screen() {
        return screen;
    }

    /** Feed it decisions and completed requests. */
    public AlertSignals signals() {
        return signals;
    }

    public AlertEvaluator evaluator() {
        return evaluator;
    }

    public DeliveryOutbox outbox() {
        return outbox;
    }

    public DeliveriesEndpoints deliveries() {
        return deliveries;
    }

    public AlertRulesEndpoints rules() {
        return rules;
    }

    @Override
    public void close() {
        evaluator.close();
        outbox.close();
        sender.close();
    }
}
