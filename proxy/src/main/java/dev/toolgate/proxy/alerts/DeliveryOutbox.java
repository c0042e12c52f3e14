package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.DeliveryTarget;
import dev.toolgate.storage.NotificationOutbox;
import dev.toolgate.storage.OutboxEntry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert messages stored before they are sent and sent from the store: a message waiting for a retry
 * when the gateway stops is sent by the next start. One thread polls for due entries every second
 * and whenever one is queued; a failed attempt is retried with backoff (by the injected clock) until
 * it succeeds, fails permanently or runs out of attempts.
 */
public final class DeliveryOutbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryOutbox.class);
    private static final int MAX_ATTEMPTS = 8;
    private static final Duration BASE_DELAY = Duration.ofSeconds(10);
    private static final Duration MAX_DELAY = Duration.ofMinutes(30);
    private static final int BATCH = 50;

    private final NotificationOutbox store;
    private final DeliverySender sender;
    private final Clock clock;
    private final ScheduledExecutorService pump = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "toolgate-alert-outbox");
        thread.setDaemon(true);
        return thread;
    });

    public DeliveryOutbox(NotificationOutbox store, DeliverySender sender, Clock clock) {
        this.store = store;
        this.sender = sender;
        this.clock = clock;
    }

    /** Starts polling; entries left by a previous run go out first. */
    public void start() {
        pump.scheduleWithFixedDelay(this::deliverDueQuietly, 0, 1, TimeUnit.SECONDS);
    }

    /** Stores {@code message} for {@code target} (blocks on the database) and wakes the pump. */
    public void enqueue(DeliveryTarget target, ObjectNode message) {
        Instant now = clock.instant();
        store.enqueue(new OutboxEntry(UUID.randomUUID().toString(), target.name(), target.type(), target.config(),
                target.signingSecret(), Json.text(message), 0, now, now));
        try {
            pump.execute(this::deliverDueQuietly);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // Stored: the next start sends it.
        }
    }

    /** Sends every entry due now; returns how many were delivered. Runs on the pump's thread or a test's. */
    public synchronized int deliverDue() {
        int delivered = 0;
        List<OutboxEntry> due = store.due(clock.instant(), BATCH);
        for (OutboxEntry entry : due) {
            if (attempt(entry)) {
                delivered++;
            }
        }
        return delivered;
    }

    private void deliverDueQuietly() {
        try {
            deliverDue();
        } catch (RuntimeException e) {
            log.warn("Alert outbox: could not read or update queued messages ({}); retrying in a second", e.toString());
        }
    }

    private boolean attempt(OutboxEntry entry) {
        int attempts = entry.attempts() + 1;
        try {
            JsonNode config = Json.MAPPER.readTree(entry.targetConfig());
            ObjectNode message = (ObjectNode) Json.MAPPER.readTree(entry.payload());
            sender.send(entry.targetType(), config, entry.signingSecret(), message);
        } catch (DeliverySender.Failure failure) {
            failed(entry, attempts, failure.getMessage(), failure.permanent());
            return false;
        } catch (IOException | ClassCastException unreadable) {
            failed(entry, attempts, "stored message is unreadable: " + unreadable.getMessage(), true);
            return false;
        }
        store.delivered(entry.id(), attempts, clock.instant());
        if (attempts > 1) {
            log.info("Alert message {} delivered to target '{}' on attempt {}", entry.id(), entry.targetName(), attempts);
        }
        return true;
    }

    private void failed(OutboxEntry entry, int attempts, String error, boolean permanent) {
        if (permanent || attempts >= MAX_ATTEMPTS) {
            store.gaveUp(entry.id(), attempts, clock.instant(), error);
            log.error("Alert message {} was NOT delivered to target '{}' after {} attempt(s): {}. Check the target with"
                    + " POST /api/deliveries/{{id}}/verify.", entry.id(), entry.targetName(), attempts, error);
            return;
        }
        Duration delay = BASE_DELAY.multipliedBy(1L << Math.min(attempts - 1, 20));
        delay = delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
        store.retryAt(entry.id(), attempts, clock.instant().plus(delay), error);
        log.warn("Alert message {} to target '{}' failed (attempt {} of {}), retrying in {}s: {}", entry.id(),
                entry.targetName(), attempts, MAX_ATTEMPTS, delay.toSeconds(), error);
    }

    @Override
    public void close() {
        pump.shutdownNow();
        try {
            pump.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
