package dev.toolgate.proxy.notify;

import dev.toolgate.config.EmailConfig;
import dev.toolgate.proxy.notify.RetryingDelivery.Attempt;
import dev.toolgate.proxy.notify.RetryingDelivery.Kind;
import dev.toolgate.proxy.notify.RetryingDelivery.Subject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells approvers about held and expired tool calls by email, Slack and Teams. Calls return at
 * once: every channel is delivered on its own executor, retried with backoff and logged, and no
 * failure reaches the caller, so notifications can never change a decision. The returned future
 * completes when every channel has finished (delivered or given up), never exceptionally.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final EmailSender email;
    private final WebhookPoster webhooks;
    private final SlackSender slack;
    private final TeamsSender teams;
    private final RetryPolicy retry;
    private final int maxPendingDeliveries;
    private final Map<Channel, ScheduledThreadPoolExecutor> executors = new EnumMap<>(Channel.class);
    private final Set<RetryingDelivery> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Notifications given up on (after their retries, or dropped), per channel: read by the metrics. */
    private final Map<Channel, LongAdder> failures = new EnumMap<>(Channel.class);

    private Notifier(Builder builder) {
        for (Channel channel : Channel.values()) {
            failures.put(channel, new LongAdder());
        }
        email = builder.email == null ? null : new EmailSender(builder.email, builder.connectTimeout, builder.readTimeout);
        webhooks = new WebhookPoster(builder.connectTimeout, builder.readTimeout);
        slack = new SlackSender(webhooks);
        teams = new TeamsSender(webhooks);
        retry = new RetryPolicy(builder.maxAttempts, builder.retryDelay, builder.maxRetryDelay);
        maxPendingDeliveries = builder.maxPendingDeliveries;
        for (Channel channel : Channel.values()) {
            executors.put(channel, executor(channel, builder.threadsPerChannel));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Notifications on {@code channel} that were not delivered (retries exhausted, or dropped), since start. */
    public long failedDeliveries(Channel channel) {
        return failures.get(channel).sum();
    }

    /** Whether SMTP is configured; without it email targets are ignored. */
    public boolean emailConfigured() {
        return email != null;
    }

    /**
     * Sends one plain message by email now, on the calling thread (it blocks): the alert outbox
     * retries it itself. {@code id} becomes the Message-ID's local part.
     */
    public void sendEmailNow(String to, String subject, String text, String id) throws Exception {
        if (email == null) {
            throw new IllegalStateException("email is not configured (notifications.email)");
        }
        email.send(new EmailContent(subject, text, "<pre>" + Html.escape(text) + "</pre>"), to, id, null);
    }

    /** Sends the approval request to every channel {@code targets} enables, each with its own links from {@code notice}. */
    public CompletableFuture<DeliveryReport> approvalRequested(ApprovalNotice notice, NotificationTargets targets) {
        Objects.requireNonNull(notice, "notice");
        Objects.requireNonNull(targets, "targets");
        String id = notice.approvalId();
        List<CompletableFuture<ChannelDelivery>> deliveries = new ArrayList<>();
        if (emailEnabled(targets, id)) {
            String to = targets.email();
            deliveries.add(deliver(new Subject(Channel.EMAIL, Kind.REQUEST, id, emailTarget(to), null),
                    () -> email.send(ApprovalEmail.build(notice, links(notice, Channel.EMAIL)), to, requestMessageId(id), null)));
        }
        if (targets.has(Channel.SLACK)) {
            String url = targets.slackWebhookUrl();
            deliveries.add(deliver(new Subject(Channel.SLACK, Kind.REQUEST, id, LogSafe.webhook(url), url),
                    () -> slack.sendApproval(url, notice, links(notice, Channel.SLACK))));
        }
        if (targets.has(Channel.TEAMS)) {
            String url = targets.teamsWebhookUrl();
            deliveries.add(deliver(new Subject(Channel.TEAMS, Kind.REQUEST, id, LogSafe.webhook(url), url),
                    () -> teams.sendApproval(url, notice, links(notice, Channel.TEAMS))));
        }
        return DeliveryReport.when(id, deliveries);
    }

    /** Tells every channel {@code targets} enables that the approval expired and counted as denied. */
    public CompletableFuture<DeliveryReport> approvalExpired(ExpiryNotice notice, NotificationTargets targets) {
        Objects.requireNonNull(notice, "notice");
        Objects.requireNonNull(targets, "targets");
        String id = notice.approvalId();
        List<CompletableFuture<ChannelDelivery>> deliveries = new ArrayList<>();
        if (emailEnabled(targets, id)) {
            String to = targets.email();
            deliveries.add(deliver(new Subject(Channel.EMAIL, Kind.EXPIRY, id, emailTarget(to), null),
                    () -> email.send(ExpiryEmail.build(notice), to, "toolgate.expiry." + id, requestMessageId(id))));
        }
        if (targets.has(Channel.SLACK)) {
            String url = targets.slackWebhookUrl();
            deliveries.add(deliver(new Subject(Channel.SLACK, Kind.EXPIRY, id, LogSafe.webhook(url), url),
                    () -> slack.sendExpiry(url, notice)));
        }
        if (targets.has(Channel.TEAMS)) {
            String url = targets.teamsWebhookUrl();
            deliveries.add(deliver(new Subject(Channel.TEAMS, Kind.EXPIRY, id, LogSafe.webhook(url), url),
                    () -> teams.sendExpiry(url, notice)));
        }
        return DeliveryReport.when(id, deliveries);
    }

    /** Tells every channel {@code targets} enables that an agent's circuit breaker changed state. */
    public CompletableFuture<DeliveryReport> agentStateChanged(BreakerNotice notice, NotificationTargets targets) {
        Objects.requireNonNull(notice, "notice");
        Objects.requireNonNull(targets, "targets");
        String id = notice.id();
        List<CompletableFuture<ChannelDelivery>> deliveries = new ArrayList<>();
        if (emailEnabled(targets, id)) {
            String to = targets.email();
            deliveries.add(deliver(new Subject(Channel.EMAIL, Kind.BREAKER, id, emailTarget(to), null),
                    () -> email.send(BreakerEmail.build(notice), to, "toolgate.breaker." + notice.agent() + "."
                            + notice.changedAt().toEpochMilli(), null)));
        }
        if (targets.has(Channel.SLACK)) {
            String url = targets.slackWebhookUrl();
            deliveries.add(deliver(new Subject(Channel.SLACK, Kind.BREAKER, id, LogSafe.webhook(url), url),
                    () -> slack.sendBreaker(url, notice)));
        }
        if (targets.has(Channel.TEAMS)) {
            String url = targets.teamsWebhookUrl();
            deliveries.add(deliver(new Subject(Channel.TEAMS, Kind.BREAKER, id, LogSafe.webhook(url), url),
                    () -> teams.sendBreaker(url, notice)));
        }
        return DeliveryReport.when(id, deliveries);
    }

    private boolean emailEnabled(NotificationTargets targets, String approvalId) {
        if (!targets.has(Channel.EMAIL)) {
            return false;
        }
        if (email == null) {
            LOG.warn("No email sent to {} for approval {}: notifications.email (the SMTP server) is not configured",
                    targets.email(), approvalId);
            return false;
        }
        return true;
    }

    private String emailTarget(String to) {
        return to + " via " + email.server();
    }

    /** Fixed per approval, so the expiry notice can thread under the request and a resend is recognisably the same mail. */
    private static String requestMessageId(String approvalId) {
        return "toolgate.approval." + approvalId;
    }

    private static ApprovalLinks links(ApprovalNotice notice, Channel channel) throws DeliveryFailure {
        ApprovalLinks links = notice.linksFor(channel);
        if (links == null) {
            throw new DeliveryFailure("no approve/deny links were issued for " + channel.key(), true);
        }
        return links;
    }

    private CompletableFuture<ChannelDelivery> deliver(Subject subject, Attempt attempt) {
        // Bounded like BlockingExecutor: a channel that is down for hours must not grow the heap without limit.
        if (inFlight.size() >= maxPendingDeliveries) {
            LOG.error("{} {} for approval {} to {} dropped: {} notifications are already waiting for delivery",
                    subject.channel().displayName(), subject.kind(), subject.approvalId(), subject.target(), maxPendingDeliveries);
            failures.get(subject.channel()).increment();
            return CompletableFuture.completedFuture(ChannelDelivery.failed(subject.channel(), 0, "too many notifications waiting"));
        }
        RetryingDelivery delivery = new RetryingDelivery(subject, attempt, retry, executors.get(subject.channel()));
        inFlight.add(delivery);
        CompletableFuture<ChannelDelivery> result = delivery.start();
        result.whenComplete((done, never) -> {
            inFlight.remove(delivery);
            if (done != null && !done.delivered()) {
                failures.get(subject.channel()).increment();
            }
        });
        return result;
    }

    static ScheduledThreadPoolExecutor executor(Channel channel, int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = work -> {
            Thread thread = new Thread(work, "toolgate-notify-" + channel.key() + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, factory);
        // Idle gateways keep no notifier threads; waiting retries are dropped on close (and reported as not delivered).
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /**
     * Stops the executors: sends in progress get a few seconds to finish, waiting retries are
     * dropped, and every delivery not made is logged as such.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executors.values().forEach(ScheduledThreadPoolExecutor::shutdown);
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        try {
            for (ScheduledThreadPoolExecutor executor : executors.values()) {
                executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executors.values().forEach(ScheduledThreadPoolExecutor::shutdownNow);
        for (RetryingDelivery delivery : inFlight) {
            delivery.abandon();
        }
        webhooks.close();
    }

    /** Settings for a {@link Notifier}; every value is checked when set. */
    public static final class Builder {
        private EmailConfig email;
        private int maxAttempts = 5;
        private Duration retryDelay = Duration.ofSeconds(2);
        private Duration maxRetryDelay = Duration.ofMinutes(1);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private int threadsPerChannel = 4;
        private int maxPendingDeliveries = 10_000;

        private Builder() {
        }

        /** The SMTP server; null (the default) turns email off whatever the targets say. */
        public Builder email(EmailConfig email) {
            this.email = email;
            return this;
        }

        /** Sends tried per channel before giving up, the first included (default 5). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: at least 1)");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Wait after the first failure; it doubles after each further one (default 2 s). */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = positive("retryDelay", retryDelay);
            return this;
        }

        /** Longest wait between two attempts (default 1 min). */
        public Builder maxRetryDelay(Duration maxRetryDelay) {
            this.maxRetryDelay = positive("maxRetryDelay", maxRetryDelay);
            return this;
        }

        /** Connect timeout for SMTP and webhooks (default 10 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive("connectTimeout", connectTimeout);
            return this;
        }

        /** Read and write timeout for SMTP and webhooks (default 30 s). */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = positive("readTimeout", readTimeout);
            return this;
        }

        /** Concurrent sends per channel (default 4). */
        public Builder threadsPerChannel(int threadsPerChannel) {
            if (threadsPerChannel < 1) {
                throw new IllegalArgumentException("threadsPerChannel: " + threadsPerChannel + " (expected: at least 1)");
            }
            this.threadsPerChannel = threadsPerChannel;
            return this;
        }

        /** Deliveries waiting or retrying at once before new ones are dropped (default 10000). */
        public Builder maxPendingDeliveries(int maxPendingDeliveries) {
            if (maxPendingDeliveries < 1) {
                throw new IllegalArgumentException("maxPendingDeliveries: " + maxPendingDeliveries + " (expected: at least 1)");
            }
            this.maxPendingDeliveries = maxPendingDeliveries;
            return this;
        }

        /** Builds the notifier; throws when the email settings cannot work (no host, a malformed from address). */
        public Notifier build() {
            if (maxRetryDelay.compareTo(retryDelay) < 0) {
                throw new IllegalArgumentException("maxRetryDelay: " + maxRetryDelay + " (expected: at least retryDelay, " + retryDelay + ")");
            }
            return new Notifier(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}
