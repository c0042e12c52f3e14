package dev.toolgate.proxy.telemetry;

import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.notify.Channel;
import dev.toolgate.proxy.notify.Notifier;
import dev.toolgate.proxy.server.RequestObserver;
import dev.toolgate.proxy.server.RequestRecord;
import dev.toolgate.proxy.upstream.EndpointHealth;
import dev.toolgate.proxy.upstream.FailoverEndpoint;
import dev.toolgate.proxy.upstream.FailoverObserver;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.ApprovalStore;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.BreakerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every figure {@code /metrics} serves, in one Micrometer registry written in Prometheus's format:
 * requests by route, method and status; the gateway's own overhead and the upstream's latency as
 * histograms; decisions by outcome, rule and source; pending approvals; the audit queue and its
 * commit time; undelivered notifications; and the JVM's memory, threads and CPU.
 *
 * <p>It watches requests and decisions ({@link RequestObserver}, {@link DecisionObserver}) on the
 * hot path, where a meter is a map lookup and an atomic add; the figures that need storage
 * (pending approvals) are refreshed in the background, never read on a scrape.
 */
public final class GatewayMetrics implements RequestObserver, DecisionObserver, FailoverObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayMetrics.class);
    private static final Duration PENDING_REFRESH = Duration.ofSeconds(10);
    /** Routes that match nothing share one label: a scanner must not create a series per path it tries. */
    private static final String NO_ROUTE = "unmatched";
    /** The overhead is tens to hundreds of microseconds: buckets where it lives, not the default's millisecond floor. */
    private static final Duration[] OVERHEAD_BUCKETS = Stream.of(25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000,
            50_000, 100_000, 250_000, 1_000_000).map(micros -> Duration.ofNanos(micros * 1_000L)).toArray(Duration[]::new);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<RequestKey, Timer> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> upstreamLatency = new ConcurrentHashMap<>();
    private final Map<DecisionKey, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<FailoverKey, Counter> failovers = new ConcurrentHashMap<>();
    private final Timer overhead;
    private final Map<String, AtomicLong> pendingApprovals = new ConcurrentHashMap<>();
    private final ApprovalStore approvals;
    private final ScheduledExecutorService refresher;

    private record RequestKey(String route, String method, int status) {
    }

    private record DecisionKey(String outcome, String rule, String source) {
    }

    private record FailoverKey(String provider, String from, String to) {
    }

    /** {@code workspaces}: those whose pending approvals are counted. */
    public GatewayMetrics(AuditLog auditLog, ApprovalStore approvals, Notifier notifier, Set<String> workspaces) {
        this.approvals = approvals;
        this.overhead = Timer.builder("toolgate.gateway.overhead")
                .description("Time the gateway itself adds to a proxied request (everything but the upstream's answer)")
                .serviceLevelObjectives(OVERHEAD_BUCKETS)
                .register(registry);
        Gauge.builder("toolgate.audit.queue.events", auditLog, log -> log.stats().queuedEvents())
                .description("Audit events waiting for the group commit")
                .register(registry);
        FunctionTimer.builder("toolgate.audit.commit", auditLog, log -> log.stats().commits(),
                        log -> log.stats().commitNanos(), TimeUnit.NANOSECONDS)
                .description("Group commits of the audit log and the time they took")
                .register(registry);
        for (Channel channel : Channel.values()) {
            FunctionCounter.builder("toolgate.notifications.failed", notifier, n -> n.failedDeliveries(channel))
                    .description("Notifications not delivered after their retries, or dropped")
                    .tag("channel", channel.key())
                    .register(registry);
        }
        for (String workspace : workspaces) {
            AtomicLong count = new AtomicLong();
            pendingApprovals.put(workspace, count);
            Gauge.builder("toolgate.approvals.pending", count, AtomicLong::get)
                    .description("Tool calls held for a person's decision")
                    .tag("workspace", workspace)
                    .register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        refresher = Executors.newSingleThreadScheduledExecutor(work -> {
            Thread thread = new Thread(work, "toolgate-metrics");
            thread.setDaemon(true);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::refreshPendingApprovals, 0, PENDING_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Gauges of how many agents stand in each restrictive breaker state, read from {@code agentsIn} at each scrape. */
    public void watchBreakers(ToLongFunction<BreakerState> agentsIn) {
        for (BreakerState state : BreakerState.values()) {
            if (state != BreakerState.MONITORING) {
                Gauge.builder("toolgate.agents.breaker", () -> agentsIn.applyAsLong(state))
                        .description("Agents whose circuit breaker stands in this state")
                        .tag("state", state.value())
                        .register(registry);
            }
        }
    }

    /** A gauge per endpoint: 1 while it is healthy (neither over a threshold nor failing its health check). */
    public void watchUpstreams(List<FailoverEndpoint> endpoints) {
        for (FailoverEndpoint endpoint : endpoints) {
            Gauge.builder("toolgate.upstream.healthy", endpoint,
                            e -> e.health().state() == EndpointHealth.State.HEALTHY ? 1 : 0)
                    .description("1 while the upstream endpoint is healthy, 0 while degraded or failing its health check")
                    .tags("provider", endpoint.provider(), "endpoint", endpoint.url())
                    .register(registry);
        }
    }

    @Override
    public void failedOver(FailoverEndpoint from, FailoverEndpoint to, String why) {
        failovers.computeIfAbsent(new FailoverKey(from.provider(), from.url(), to.url()), key -> Counter.builder("toolgate.upstream.failovers")
                        .description("Requests moved from one upstream endpoint to the next")
                        .tags("provider", key.provider(), "from", key.from(), "to", key.to())
                        .register(registry))
                .increment();
    }

    @Override
    public void completed(RequestRecord record) {
        String route = record.route() == null ? NO_ROUTE : record.route();
        requests.computeIfAbsent(new RequestKey(route, record.method(), record.status()), key -> Timer.builder("toolgate.http.requests")
                        .description("Requests answered, by route template, method and status (499: the client left first)")
                        .tags("route", key.route(), "method", key.method(), "status", Integer.toString(key.status()))
                        .register(registry))
                .record(record.durationNanos(), TimeUnit.NANOSECONDS);
        if (record.proxied()) {
            if (record.overheadNanos() >= 0) {
                overhead.record(record.overheadNanos(), TimeUnit.NANOSECONDS);
            }
            long upstream = record.upstreamNanos();
            if (upstream >= 0) {
                upstreamLatency.computeIfAbsent(route, key -> Timer.builder("toolgate.upstream.latency")
                                .description("From sending a request upstream to the end of its answer")
                                .tag("route", key)
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(1))
                                .maximumExpectedValue(Duration.ofMinutes(5))
                                .register(registry))
                        .record(upstream, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public void decided(RequestRecord httpRequest, List<AuditEvent> events) {
        for (AuditEvent event : events) {
            String rule = event.rules().isEmpty() ? "none" : event.rules().get(0);
            decisions.computeIfAbsent(new DecisionKey(event.decision(), rule, event.source()), key -> Counter.builder("toolgate.decisions")
                            .description("Tool calls decided, by outcome, first matched rule and source")
                            .tags("outcome", key.outcome(), "rule", key.rule(), "source", key.source())
                            .register(registry))
                    .increment();
        }
    }

    private void refreshPendingApprovals() {
        pendingApprovals.forEach((workspace, count) -> {
            try {
                count.set(approvals.countByStatus(workspace, ApprovalStatus.PENDING));
            } catch (RuntimeException e) {
                log.debug("pending approvals of workspace {} not counted this time: {}", workspace, e.toString());
            }
        });
    }

    /** Everything, in Prometheus's text format. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        registry.close();
    }
}
