package dev.toolgate.proxy;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigException;
import dev.toolgate.config.Durability;
import dev.toolgate.config.KeyConfig;
import dev.toolgate.config.ParsedConfig;
import dev.toolgate.config.StorageConfig;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.proxy.agents.AgentBreaker;
import dev.toolgate.proxy.alerts.Alerting;
import dev.toolgate.proxy.agents.AgentEndpoints;
import dev.toolgate.proxy.agents.BreakerAnnouncements;
import dev.toolgate.proxy.agents.BreakerDecisions;
import dev.toolgate.proxy.agents.BreakerTrips;
import dev.toolgate.proxy.agents.KilledAgents;
import dev.toolgate.proxy.anthropic.AnthropicFormat;
import dev.toolgate.proxy.anthropic.AnthropicReplay;
import dev.toolgate.proxy.api.AuditReportEndpoint;
import dev.toolgate.proxy.api.IncidentsEndpoints;
import dev.toolgate.proxy.api.ManagementApi;
import dev.toolgate.proxy.approval.ApprovalExpiry;
import dev.toolgate.proxy.approval.ApprovalLinkEndpoints;
import dev.toolgate.proxy.approval.Approvals;
import dev.toolgate.proxy.approval.ApprovedConversationRetry;
import dev.toolgate.proxy.approval.LiveConversations;
import dev.toolgate.proxy.approval.NotificationSettings;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.cluster.SharedStateSync;
import dev.toolgate.proxy.dashboard.Dashboard;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.incidents.AlertIncidents;
import dev.toolgate.proxy.incidents.Incidents;
import dev.toolgate.proxy.gate.RecentBlocks;
import dev.toolgate.proxy.gate.RiskScorer;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.judge.ModelJudge;
import dev.toolgate.proxy.mcp.McpEndpoints;
import dev.toolgate.proxy.publicfeed.PublicFeed;
import dev.toolgate.proxy.publicfeed.PublicFeedEndpoints;
import dev.toolgate.proxy.notify.Notifier;
import dev.toolgate.proxy.openai.chat.ChatFormat;
import dev.toolgate.proxy.openai.chat.ChatReplay;
import dev.toolgate.proxy.openai.responses.ResponsesFormat;
import dev.toolgate.proxy.openai.responses.ResponsesReplay;
import dev.toolgate.proxy.provider.ConversationRetry;
import dev.toolgate.proxy.provider.ModelEndpoint;
import dev.toolgate.proxy.provider.PassthroughEndpoint;
import dev.toolgate.proxy.provider.ReplayFormat;
import dev.toolgate.proxy.reload.ConfigReloader;
import dev.toolgate.proxy.server.Authentication;
import dev.toolgate.proxy.server.Authorization;
import dev.toolgate.proxy.server.GatewayKeys;
import dev.toolgate.proxy.server.AddressRateLimits;
import dev.toolgate.proxy.server.RateLimiting;
import dev.toolgate.proxy.server.RateLimits;
import dev.toolgate.proxy.server.RequestObserver;
import dev.toolgate.proxy.server.RequestStep;
import dev.toolgate.proxy.server.RequestsInFlight;
import dev.toolgate.proxy.server.Router;
import dev.toolgate.proxy.server.ToolgateServer;
import dev.toolgate.proxy.server.Transport;
import dev.toolgate.proxy.api.UpstreamsEndpoint;
import dev.toolgate.proxy.upstream.FailoverUpstream;
import dev.toolgate.proxy.upstream.HealthChecks;
import dev.toolgate.proxy.upstream.ProviderRoute;
import dev.toolgate.proxy.upstream.UpstreamClient;
import dev.toolgate.storage.BlockedTool;
import dev.toolgate.storage.ChangeFeed;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.StoredRule;
import dev.toolgate.storage.jdbi.JdbiStorage;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Toolgate: storage, evaluator, approvals, upstream client and server, wired from one {@link Config}. */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(15);

    /** Closed in reverse order of opening. */
    private final List<AutoCloseable> resources;
    private final Storage storage;
    private final Approvals approvals;
    private final Duration shutdownGrace;
    private final ToolgateServer server;
    private final Router router;
    private final McpEndpoints mcp;
    private final Dashboard dashboard;
    private final Observers observers;
    private final Config config;
    private final ConfigReloader.Targets reloadable;
    private final Alerting alerting;
    private ConfigReloader reloader;

    private Gateway(List<AutoCloseable> resources, Storage storage, Approvals approvals, ToolgateServer server,
                    Router router, McpEndpoints mcp, Dashboard dashboard, Observers observers, Config config,
                    ConfigReloader.Targets reloadable, Duration shutdownGrace, Alerting alerting) {
        this.alerting = alerting;
        this.observers = observers;
        this.config = config;
        this.reloadable = reloadable;
        this.resources = resources;
        this.router = router;
        this.mcp = mcp;
        this.dashboard = dashboard;
        this.storage = storage;
        this.approvals = approvals;
        this.server = server;
        this.shutdownGrace = shutdownGrace;
    }

    public static Gateway start(Config config) throws InterruptedException {
        return start(config, Clock.systemUTC());
    }

    /** {@code clock} drives approval expiry, audit times and rate limits, so tests can move time without sleeping. */
    public static Gateway start(Config config, Clock clock) throws InterruptedException {
        BlockingExecutor blocking = new BlockingExecutor(config.storage().timeout());
        return start(config, clock, blocking, openStorage(config.storage(), clock, blocking));
    }

    /**
     * Starts from a file {@link dev.toolgate.config.ConfigLoader#read read} but not compiled: the
     * database opens while the rules compile, the two slowest steps of startup. A rule that does not
     * compile still stops the start, with the file's problems; the database is closed again.
     */
    public static Gateway start(ParsedConfig parsed, Clock clock) throws ConfigException, InterruptedException {
        BlockingExecutor blocking = new BlockingExecutor(parsed.storage().timeout());
        CompletableFuture<OpenedStorage> storage = openStorage(parsed.storage(), clock, blocking);
        Config config;
        try {
            config = parsed.compile();
        } catch (ConfigException | RuntimeException e) {
            closeAll(List.of(() -> closeWhenOpened(storage), blocking));
            throw e;
        }
        return start(config, clock, blocking, storage);
    }

    private static Gateway start(Config config, Clock clock, BlockingExecutor blocking, CompletableFuture<OpenedStorage> opening)
            throws InterruptedException {
        List<AutoCloseable> opened = new ArrayList<>();
        opened.add(() -> closeWhenOpened(opening));
        opened.add(blocking);
        try {
            StorageConfig storageConfig = config.storage();
            // The network side needs no database: it starts while the database opens.
            Transport transport = Transport.best();
            EventLoopGroup workers = transport.newGroup(0, "toolgate-io");
            // Bounded: a shutdown must finish even if a connection refuses to close in time.
            opened.add(() -> workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS));
            UpstreamClient upstream = remember(opened,
                    new UpstreamClient(transport, config.upstream().connectTimeout(), config.upstream().timeout()));
            Notifier notifier = remember(opened, Notifier.builder().email(config.notifications().email()).build());
            OpenedStorage database = opened(opening);
            Storage storage = database.storage();
            Observers observers = remember(opened, Observers.from(config, storage, notifier, workspaces(config)));

            PolicyEngine engine = new PolicyEngine(config.ruleSet(), Set.copyOf(config.policy().blockedTools()));
            RuleBook rules = new RuleBook(config.rules(), config.policy().defaults(), storage.rules(), engine);
            rules.load(database.rules());
            KillSwitch killSwitch = new KillSwitch(storage.blockedTools(), engine, config.policy().blockedTools());
            killSwitch.load(database.blockedTools());
            // One redactor for everything that leaves the decision path: audit, notifications, pages, API views.
            Redactor redactor = new Redactor(config.redaction().patterns(), config.redaction().redactEmails());
            NotificationSettings notificationSettings = new NotificationSettings(storage.settings(), config.notifications());
            // Each agent key's circuit breaker: read now, kept in step with other instances, consulted on every call.
            // Incidents: an agent's blocked and held calls and breaker trips, grouped, with their timelines.
            Incidents incidents = new Incidents(storage.incidents(), blocking);
            AgentBreaker breaker = new AgentBreaker(storage, clock,
                    incidents.andThen(new BreakerAnnouncements(notifier, notificationSettings)));
            breaker.load(storage.agentStates().all());
            observers.watch(breaker);
            LiveConversations liveConversations = new LiveConversations(clock);
            Approvals approvals = new Approvals(storage, notifier, notificationSettings, redactor, clock,
                    config.approvals().expireAfter(), config.server().publicUrl(), rules::find, liveConversations);
            approvals.warmUp(workspaces(config));
            remember(opened, new ApprovalExpiry(approvals, EXPIRY_INTERVAL));
            // Gateways sharing a database: changes made through another instance apply here too.
            remember(opened, new SharedStateSync(storage, killSwitch, rules, approvals, clock))
                    .watch(ChangeFeed.Topic.AGENTS, () -> breaker.load(storage.agentStates().all()));
            ModelJudge judge = remember(opened, new ModelJudge(config.judge(), redactor));
            ToolCallGate gate = new ToolCallGate(engine, judge, storage, approvals, blocking, redactor, clock,
                    config.limits().maxToolArgumentBytes());
            observers.decisions().forEach(gate::observe);
            gate.overrideWith(new BreakerDecisions(breaker, config.agents().haltAction(), clock, config.server().instances()));
            gate.observe(new BreakerTrips(config.agents().trips(), breaker, blocking, clock));
            observers.decisions().forEach(approvals::observe);
            // Risk: every decision scored from the taxonomy and context; an agent's recent blocks count too.
            RecentBlocks recentBlocks = new RecentBlocks(clock);
            gate.observe(recentBlocks);
            approvals.observe(recentBlocks);
            gate.scoreRiskWith(new RiskScorer(config.risk(), recentBlocks));
            PublicFeed publicFeed = new PublicFeed(config.publicFeed(), clock);
            publicFeed.showBreakers(agent -> breaker.strictest(agent).value());
            gate.observe(publicFeed);
            approvals.observe(publicFeed);
            // Alert rules watch decisions, upstream answers, breakers, approvals and storage; targets' webhooks are screened.
            Alerting alerting = remember(opened, new Alerting(config.deliveries(), storage, breaker, notifier, blocking, clock));
            gate.observe(alerting.signals());
            alerting.evaluator().observe(new AlertIncidents(incidents));
            gate.observe(incidents);
            approvals.observe(incidents);

            RequestsInFlight inFlight = new RequestsInFlight();
            ManagementApi api = new ManagementApi(new ManagementApi.Services(gate, judge, killSwitch, rules, approvals,
                    notificationSettings, storage, redactor, blocking, config.server().publicUrl(), clock, inFlight,
                    alerting.screen()));
            ApprovalLinkEndpoints links = new ApprovalLinkEndpoints(approvals, blocking, redactor, config.approvals().linkMode(), clock);
            // Each provider's primary and fallbacks; whichever answers, its calls go through the same gate.
            FailoverUpstream openAi = FailoverUpstream.of("openai", upstream,
                    ProviderRoute.openAi(config.upstream().baseUrl(), config.upstream().apiKey()), config.upstream().failover(),
                    ProviderRoute::openAi, clock);
            FailoverUpstream anthropic = FailoverUpstream.of("anthropic", upstream,
                    ProviderRoute.anthropic(config.anthropic().baseUrl(), config.anthropic().apiKey()), config.anthropic().failover(),
                    ProviderRoute::anthropic, clock);
            HealthChecks healthChecks = remember(opened, new HealthChecks(transport, config.upstream().connectTimeout(), workers.next()));
            for (FailoverUpstream provider : List.of(openAi, anthropic)) {
                healthChecks.watch(provider);
                observers.watch(provider);
            }
            ModelEndpoint.Limits limits = new ModelEndpoint.Limits(config.limits().maxResponseBytes(),
                    config.limits().maxToolArgumentBytes());
            String metadataField = config.response().metadataField();
            URI publicUrl = config.server().publicUrl();
            McpEndpoints mcp = remember(opened, new McpEndpoints(gate, api.pendingApprovals(), killSwitch, storage.auditLog(), blocking,
                    publicUrl, config.mcp()));
            GatewayKeys keys = new GatewayKeys(config.keys());
            RateLimits rateLimits = new RateLimits(config.keys(), clock, config.server().instances());
            Dashboard dashboard = new Dashboard(keys, publicUrl, clock);
            gate.observe(dashboard.liveFeed());
            approvals.observe(dashboard.liveFeed());
            AgentEndpoints agents = new AgentEndpoints(breaker, keys, config.agents().throttleRate(), blocking);
            Function<ReplayFormat, ConversationRetry> approvedRetry = replay ->
                    new ApprovedConversationRetry(approvals, liveConversations, gate, blocking, clock, metadataField, publicUrl, replay);
            Router router = Routes.table(api, agents, links, mcp, dashboard, observers.metricsEndpoint(), new Routes.Providers(
                    new ModelEndpoint(openAi, new ChatFormat(), gate, limits, metadataField, publicUrl,
                            approvedRetry.apply(new ChatReplay())),
                    new ModelEndpoint(openAi, new ResponsesFormat(), gate, limits, metadataField, publicUrl,
                            approvedRetry.apply(new ResponsesReplay())),
                    new ModelEndpoint(anthropic, new AnthropicFormat(), gate, limits, metadataField, publicUrl,
                            approvedRetry.apply(new AnthropicReplay())),
                    new PassthroughEndpoint(anthropic),
                    anthropic.primaryRoute().apiKeyHeaderIsGateway(),
                    new PassthroughEndpoint(openAi),
                    new UpstreamsEndpoint(List.of(openAi, anthropic))),
                    new PublicFeedEndpoints(publicFeed, new AddressRateLimits(config.publicFeed().rateLimit(), clock), clock),
                    new IncidentsEndpoints(storage.incidents(), storage.auditLog(), blocking, clock),
                    new AuditReportEndpoint(storage.auditLog(), storage.incidents(), blocking, clock),
                    alerting);
            List<RequestStep> steps = List.of(
                    // Before the key check: a signed-in dashboard's cookie stands for the admin's key.
                    dashboard.sessions(),
                    new Authentication(keys),
                    // A killed agent key is refused everywhere, before its requests count against anything.
                    new KilledAgents(breaker),
                    // Before the role check: a key's every request counts, and every answer to it says how many are left.
                    new RateLimiting(rateLimits),
                    new Authorization());

            ToolgateServer server = remember(opened, ToolgateServer.start(transport, workers, router, steps,
                    config.server().host(), config.server().port(), config.limits().maxRequestBytes(), McpEndpoints::speaksJsonRpc,
                    config.server().idleTimeout(), config.server().requestTimeout(), inFlight,
                    RequestObserver.all(List.of(observers.requests(), alerting.signals()))));
            observers.startMetricsListener(transport, workers, config.metrics(), config.limits().maxRequestBytes());
            mcp.start();
            alerting.start();
            log.info("Toolgate listening on {}:{} ({}); upstream {}; {} rule(s), policy version {}; {} MCP server(s) behind it",
                    config.server().host(), server.port(), transport.name(), config.upstream().baseUrl(),
                    config.rules().size(), config.ruleSet().version(), config.mcp().servers().size());
            log.info("Dashboard: {}/dashboard; metrics: {}; traces: {}", localUrl(config, server.port()),
                    observers.describeMetrics(config, localUrl(config, server.port())),
                    config.telemetry().tracing() ? "OTLP to " + config.telemetry().otlpEndpoint() : "off");
            return new Gateway(opened, storage, approvals, server, router, mcp, dashboard, observers, config,
                    new ConfigReloader.Targets(rules, killSwitch, keys, rateLimits, notificationSettings,
                            risk -> gate.scoreRiskWith(new RiskScorer(risk, recentBlocks))),
                    config.server().shutdownGrace(), alerting);
        } catch (InterruptedException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T remember(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    /** The database, open and migrated, and what startup reads from it. */
    private record OpenedStorage(Storage storage, List<StoredRule> rules, List<BlockedTool> blockedTools) {
    }

    /**
     * Opens (and migrates) the database on {@code blocking}, not on the thread that starts the
     * gateway, and reads what startup needs there too: the first queries load most of Jdbi.
     */
    private static CompletableFuture<OpenedStorage> openStorage(StorageConfig config, Clock clock, BlockingExecutor blocking) {
        StorageSettings settings = new StorageSettings(config.url(), config.user(), config.password(), config.timeout(),
                config.durability() == Durability.SYNC);
        return blocking.supply(() -> {
            Storage storage = JdbiStorage.open(settings, clock);
            try {
                return new OpenedStorage(storage, storage.rules().all(), storage.blockedTools().all());
            } catch (RuntimeException e) {
                storage.close();
                throw e;
            }
        });
    }

    /** The opened database, or the exception opening it threw. */
    private static OpenedStorage opened(CompletableFuture<OpenedStorage> opening) throws InterruptedException {
        try {
            return opening.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("opening the database failed", e.getCause());
        }
    }

    /** Waits for an opening database to finish opening, so that it is closed rather than left half-migrated. */
    private static void closeWhenOpened(CompletableFuture<OpenedStorage> opening) {
        OpenedStorage opened;
        try {
            opened = opening.join();
        } catch (CompletionException | CancellationException e) {
            return;  // it never opened: nothing to close
        }
        opened.storage().close();
    }

    /** The address to reach this gateway at from this machine: its host and port, localhost when it listens on every address. */
    private static String localUrl(Config config, int port) {
        String host = config.server().host();
        boolean anyAddress = host.equals("0.0.0.0") || host.equals("::");
        return "http://" + (anyAddress ? "localhost" : host) + ":" + port;
    }

    /**
     * Applies edits of {@code file} (the one this gateway's config was loaded from, with
     * {@code environment}) as they are saved: see {@link ConfigReloader}. Returns the reloader, whose
     * {@link ConfigReloader#reload()} is also what SIGHUP calls.
     */
    public synchronized ConfigReloader watchConfig(Path file, Map<String, String> environment) throws IOException {
        if (reloader == null) {
            reloader = ConfigReloader.watch(file, environment, config, reloadable);
            resources.add(reloader);
        }
        return reloader;
    }

    private static Set<String> workspaces(Config config) {
        Set<String> workspaces = new TreeSet<>();
        config.keys().stream().map(KeyConfig::workspace).forEach(workspaces::add);
        return workspaces;
    }

    public int port() {
        return server.port();
    }

    /** The port of the separate {@code metrics.listen} listener; -1 without one. */
    public int metricsPort() {
        return observers.metricsPort();
    }

    /** The routes it serves, in the order they are tried. */
    public Router router() {
        return router;
    }

    public Storage storage() {
        return storage;
    }

    /** The approval lifecycle; tests use it to expire approvals without waiting for the background pass. */
    public Approvals approvals() {
        return approvals;
    }

    /** Alert rules, delivery targets and the outbox; tests evaluate rules and pump the outbox through it. */
    public Alerting alerting() {
        return alerting;
    }

    /**
     * A graceful stop (SIGTERM): stops accepting connections, lets the requests in flight finish,
     * streams included, for at most {@code server.shutdown_grace}, then closes everything; closing
     * the storage commits the audit events still queued.
     */
    public void shutdown() {
        log.info("Shutting down: no new connections, readiness reports not ready; requests in flight get up to {}",
                shutdownGrace);
        try {
            mcp.endSessions();  // their streams would otherwise hold the drain for the whole grace
            dashboard.endStreams();  // so would the dashboard's live feeds
            int unfinished = server.drain(shutdownGrace);
            if (unfinished > 0) {
                log.warn("{} request(s) still in flight after the shutdown grace of {}; their connections are closed now",
                        unfinished, shutdownGrace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Closes at once: connections, upstreams, background work and the storage (which commits queued audit events). */
    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("error while shutting down {}", resources.get(i).getClass().getSimpleName(), e);
            }
        }
    }
}
