package dev.toolgate.proxy.approval;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires unanswered approvals in the background, on its own thread, every {@code interval}. While
 * the database is down every pass fails: the first failure is logged in full, later ones at most
 * once a minute in one line, and the recovery once.
 */
public final class ApprovalExpiry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApprovalExpiry.class);
    private static final long REPEAT_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("toolgate-approval-expiry", true));
    /** Failed passes since the last one that worked, and when a failure was last logged; scheduler thread only. */
    private long failedPasses;
    private long lastFailureLog;

    public ApprovalExpiry(Approvals approvals, Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> pass(approvals, interval), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void pass(Approvals approvals, Duration interval) {
        try {
            approvals.expireDue();
        } catch (RuntimeException e) {
            // The next pass retries: expiry is idempotent, and nothing is lost by waiting.
            failedPasses++;
            long now = System.nanoTime();
            if (failedPasses == 1) {
                lastFailureLog = now;
                log.error("expiring approvals failed; retrying every {}s", interval.toSeconds(), e);
            } else if (now - lastFailureLog >= REPEAT_LOG_INTERVAL_NANOS) {
                lastFailureLog = now;
                log.error("expiring approvals still fails ({} passes in a row): {}", failedPasses, e.toString());
            }
            return;
        }
        if (failedPasses > 0) {
            log.info("expiring approvals works again after {} failed passes", failedPasses);
            failedPasses = 0;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
