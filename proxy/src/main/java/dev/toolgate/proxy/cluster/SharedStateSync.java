package dev.toolgate.proxy.cluster;

import dev.toolgate.proxy.approval.Approvals;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.storage.ChangeFeed.Topic;
import dev.toolgate.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's copies of shared state in step with the database, for gateways that share
 * one: the kill switch and API rules (reloaded when their version moves) and the index of
 * conversations an approval may answer (the approvals created since the last look). It waits for
 * an announcement of a change (PostgreSQL NOTIFY) or {@link #POLL} at most, then reads the versions:
 * a change made on another instance applies here within a second even when announcements are lost.
 * Also purges expired idempotency keys. Runs on a thread of its own, never on an event loop.
 */
public final class SharedStateSync implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(500);
    /** Instances stamp approvals with their own clocks: look back this far for ones stamped a little late. */
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);
    private static final long FAILURE_LOG_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();
    private static final Logger log = LoggerFactory.getLogger(SharedStateSync.class);

    private final Storage storage;
    private final KillSwitch killSwitch;
    private final RuleBook rules;
    private final Approvals approvals;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean closed;
    /** Reloads registered by {@link #watch}, per topic. */
    private final Map<Topic, List<Runnable>> watchers = new ConcurrentHashMap<>();
    /** Topics watched since the last look: reloaded at the next one whatever their version. */
    private final Set<Topic> newlyWatched = ConcurrentHashMap.newKeySet();
    /** Sync thread only. */
    private Map<Topic, Long> seen = Map.of();
    private Instant approvalsSince;
    private Instant nextPurge;
    private long failures;
    private long lastFailureLog;

    public SharedStateSync(Storage storage, KillSwitch killSwitch, RuleBook rules, Approvals approvals, Clock clock) {
        this.storage = storage;
        this.killSwitch = killSwitch;
        this.rules = rules;
        this.approvals = approvals;
        this.clock = clock;
        this.approvalsSince = clock.instant().minus(CLOCK_SKEW);
        this.nextPurge = clock.instant();
        this.thread = new Thread(this::run, "toolgate-shared-state");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                storage.changes().awaitAnnouncement(POLL);
                syncOnce();
                recovered();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;  // the storage closed under the last look
                }
                failed(e);
                sleep();
            }
        }
    }

    /** One look at the versions; reloads what moved (everything the first time). */
    void syncOnce() {
        Map<Topic, Long> versions = storage.changes().versions();
        if (!Objects.equals(versions.get(Topic.POLICY), seen.get(Topic.POLICY))) {
            killSwitch.reload();
            rules.reload();
        }
        if (!Objects.equals(versions.get(Topic.APPROVALS), seen.get(Topic.APPROVALS))) {
            approvalsSince = approvals.rememberCreatedSince(approvalsSince).minus(CLOCK_SKEW);
        }
        watchers.forEach((topic, reloads) -> {
            if (newlyWatched.contains(topic) || !Objects.equals(versions.get(topic), seen.get(topic))) {
                reloads.forEach(Runnable::run);
                newlyWatched.remove(topic);
            }
        });
        seen = versions;
        Instant now = clock.instant();
        if (!now.isBefore(nextPurge)) {
            int purged = storage.idempotency().purgeExpired(now);
            if (purged > 0) {
                log.debug("Purged {} expired idempotency keys", purged);
            }
            nextPurge = now.plus(PURGE_INTERVAL);
        }
    }

    /**
     * Runs {@code reload} on the sync thread whenever {@code topic}'s version moves, and once at the
     * next look (a change made between the caller's own load and this call is not missed). It reads
     * the database; what it throws counts as a failed look, retried.
     */
    public SharedStateSync watch(Topic topic, Runnable reload) {
        watchers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(reload);
        newlyWatched.add(topic);
        return this;
    }

    private void failed(RuntimeException e) {
        failures++;
        long now = System.nanoTime();
        if (failures == 1 || now - lastFailureLog >= FAILURE_LOG_INTERVAL_NANOS) {
            lastFailureLog = now;
            log.warn("Cannot read shared state from the database ({} attempts in a row); changes made on other instances"
                    + " apply here once it answers: {}", failures, e.toString());
        }
    }

    private void recovered() {
        if (failures > 0) {
            log.info("Shared state is read from the database again after {} failed attempts", failures);
            failures = 0;
        }
    }

    private void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            closed = true;
        }
    }

    /**
     * Stops the thread within one poll, without waiting for it: it looks no further once closed.
     * Never interrupts it: an interrupted H2 query closes the database's file.
     */
    @Override
    public void close() {
        closed = true;
    }
}
