package dev.toolgate.proxy.notify;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message to one channel, tried on the channel's executor until it is delivered, fails
 * permanently or runs out of attempts. Waits between attempts are scheduled, never slept, so a
 * failing channel holds no thread. The result never completes exceptionally.
 */
final class RetryingDelivery {
    // Operators look for one logger: the notifier's.
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    /** One send; throws on any failure. */
    interface Attempt {
        void send() throws Exception;
    }

    enum Kind {
        REQUEST("approval request"),
        EXPIRY("expiry notice"),
        BREAKER("agent breaker notice");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /** What is being delivered, for log lines: channel, message kind, approval id, log-safe target, secret to mask. */
    record Subject(Channel channel, Kind kind, String approvalId, String target, String secret) {
    }

    private final Subject subject;
    private final Attempt attempt;
    private final RetryPolicy policy;
    private final ScheduledExecutorService executor;
    private final CompletableFuture<ChannelDelivery> result = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicInteger attempts = new AtomicInteger();

    RetryingDelivery(Subject subject, Attempt attempt, RetryPolicy policy, ScheduledExecutorService executor) {
        this.subject = subject;
        this.attempt = attempt;
        this.policy = policy;
        this.executor = executor;
    }

    CompletableFuture<ChannelDelivery> start() {
        schedule(Duration.ZERO);
        return result;
    }

    /** Gives up without another attempt because the notifier is closing; does nothing when already finished. */
    void abandon() {
        if (finished.compareAndSet(false, true)) {
            int made = attempts.get();
            LOG.error("{} {} for approval {} was NOT delivered to {}: the gateway shut down first (after {} attempt(s)).{}",
                    subject.channel().displayName(), subject.kind(), subject.approvalId(), subject.target(), made,
                    subject.kind() == Kind.REQUEST ? " The approval can still be decided from the dashboard." : "");
            result.complete(ChannelDelivery.failed(subject.channel(), made, "the gateway shut down before delivery"));
        }
    }

    private void schedule(Duration delay) {
        try {
            executor.schedule(this::run, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            abandon();
        }
    }

    private void run() {
        if (finished.get()) {
            return;
        }
        int number = attempts.incrementAndGet();
        try {
            attempt.send();
        } catch (Throwable failure) {
            failed(number, failure);
            return;
        }
        if (finished.compareAndSet(false, true)) {
            if (number > 1) {
                LOG.info("{} {} for approval {} delivered to {} on attempt {}", subject.channel().displayName(),
                        subject.kind(), subject.approvalId(), subject.target(), number);
            }
            result.complete(ChannelDelivery.delivered(subject.channel(), number));
        }
    }

    private void failed(int number, Throwable failure) {
        String error = LogSafe.error(failure, subject.secret());
        // An Error (a missing class, say) will not fix itself on retry either.
        boolean permanent = failure instanceof Error || failure instanceof DeliveryFailure f && f.permanent();
        if (permanent || number >= policy.maxAttempts()) {
            giveUp(error);
            return;
        }
        Duration delay = policy.delayAfter(number);
        LOG.warn("{} {} for approval {} to {} failed (attempt {} of {}), retrying in {} ms: {}",
                subject.channel().displayName(), subject.kind(), subject.approvalId(), subject.target(), number,
                policy.maxAttempts(), delay.toMillis(), error);
        schedule(delay);
    }

    private void giveUp(String error) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        int made = attempts.get();
        LOG.error("{} {} for approval {} was NOT delivered to {} after {} attempt(s): {}. {}",
                subject.channel().displayName(), subject.kind(), subject.approvalId(), subject.target(), made, error,
                advice(subject));
        result.complete(ChannelDelivery.failed(subject.channel(), made, error));
    }

    private static String advice(Subject subject) {
        String check = switch (subject.channel()) {
            case EMAIL -> "Check notifications.email (SMTP host, port, credentials, starttls) and the recipient address.";
            case SLACK -> "Check the Slack webhook URL (notifications.slack_webhook_url or the workspace's notification settings).";
            case TEAMS -> "Check the Teams webhook URL (notifications.teams_webhook_url or the workspace's notification settings).";
        };
        return subject.kind() == Kind.REQUEST
                ? check + " The approval itself is unaffected: it can still be decided from the dashboard."
                : check;
    }
}
