package dev.toolgate.proxy;

import dev.toolgate.config.Config;
import dev.toolgate.config.StorageConfig;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.proxy.api.ManagementApi;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.Redactor;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.openai.ChatCompletionsEndpoint;
import dev.toolgate.proxy.openai.PassthroughEndpoint;
import dev.toolgate.proxy.server.GatewayKeys;
import dev.toolgate.proxy.server.Route.Access;
import dev.toolgate.proxy.server.Router;
import dev.toolgate.proxy.server.ToolgateServer;
import dev.toolgate.proxy.server.Transport;
import dev.toolgate.proxy.upstream.UpstreamClient;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageSettings;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Toolgate: storage, evaluator, upstream client and server, wired from one {@link Config}. */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final List<HttpMethod> PASSTHROUGH_METHODS =
            List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private final Storage storage;
    private final BlockingExecutor blocking;
    private final EventLoopGroup workers;
    private final UpstreamClient upstream;
    private final ToolgateServer server;

    private Gateway(Storage storage, BlockingExecutor blocking, EventLoopGroup workers, UpstreamClient upstream, ToolgateServer server) {
        this.storage = storage;
        this.blocking = blocking;
        this.workers = workers;
        this.upstream = upstream;
        this.server = server;
    }

    public static Gateway start(Config config) throws InterruptedException {
        return start(config, Clock.systemUTC());
    }

    /** {@code clock} drives approval expiry and audit times, so tests can move time without sleeping. */
    public static Gateway start(Config config, Clock clock) throws InterruptedException {
        StorageConfig storageConfig = config.storage();
        Storage storage = Storage.open(new StorageSettings(storageConfig.url(), storageConfig.user(), storageConfig.password()), clock);
        BlockingExecutor blocking = new BlockingExecutor();
        Transport transport = Transport.best();
        EventLoopGroup workers = transport.newGroup(0, "toolgate-io");
        UpstreamClient upstream = new UpstreamClient(transport, config.upstream().connectTimeout(), config.upstream().timeout());
        try {
            PolicyEngine engine = new PolicyEngine(config.ruleSet(), Set.copyOf(config.policy().blockedTools()));
            KillSwitch killSwitch = new KillSwitch(storage.blockedTools(), engine, config.policy().blockedTools());
            killSwitch.load();
            ToolCallGate gate = new ToolCallGate(engine, storage, blocking, new Redactor(), clock, config.approvals().expireAfter(),
                    config.limits().maxToolArgumentBytes());

            Router router = new Router();
            ManagementApi.register(router, gate, killSwitch, storage, blocking, config.server().publicUrl());
            router.add(HttpMethod.POST, "/v1/chat/completions", Access.AGENT, new ChatCompletionsEndpoint(upstream,
                    config.upstream(), gate, config.limits().maxResponseBytes(), config.response().metadataField(),
                    config.server().publicUrl()));
            PassthroughEndpoint passthrough = new PassthroughEndpoint(upstream, config.upstream());
            PASSTHROUGH_METHODS.forEach(method -> router.add(method, "/v1/*", Access.AGENT, passthrough));

            ToolgateServer server = ToolgateServer.start(transport, workers, router, new GatewayKeys(config.keys()),
                    config.server().host(), config.server().port(), config.limits().maxRequestBytes(),
                    config.server().idleTimeout());
            log.info("Toolgate listening on {}:{} ({}); upstream {}; {} rule(s), policy version {}",
                    config.server().host(), server.port(), transport.name(), config.upstream().baseUrl(),
                    config.rules().size(), config.ruleSet().version());
            return new Gateway(storage, blocking, workers, upstream, server);
        } catch (InterruptedException | RuntimeException e) {
            upstream.close();
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            blocking.close();
            storage.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public Storage storage() {
        return storage;
    }

    @Override
    public void close() {
        server.close();
        upstream.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        blocking.close();
        storage.close();
    }
}
