package dev.toolgate.proxy.approval;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Expires unanswered approvals in the background, on its own thread, every {@code interval}. */
public final class ApprovalExpiry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApprovalExpiry.class);

    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("toolgate-approval-expiry", true));

    public ApprovalExpiry(Approvals approvals, Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                approvals.expireDue();
            } catch (RuntimeException e) {
                // The next pass retries: expiry is idempotent, and nothing is lost by waiting.
                log.error("expiring approvals failed; retrying in {}s", interval.toSeconds(), e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
