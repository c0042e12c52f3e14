package dev.toolgate.config;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code server} section: where the gateway listens, and the URL people reach it at.
 *
 * @param port 0 means a random free port (tests)
 * @param publicUrl the base of approval links; defaults to {@code http://localhost:<port>}
 * @param idleTimeout a connection that sends nothing (between requests) or reads nothing (of a response) for this long is closed
 * @param requestTimeout a request must arrive whole (head and body) within this of its first byte, or it gets 408
 * @param shutdownGrace on SIGTERM, how long requests in flight (streams included) may take to finish
 *     after the gateway stops accepting new ones
 * @param instances how many gateway instances share the load behind a load balancer: each enforces
 *     its share of every per-key rate limit
 */
public record ServerConfig(String host, int port, URI publicUrl, Duration idleTimeout, Duration requestTimeout,
                           Duration shutdownGrace, int instances) {
    /** {@code request_timeout} when the file does not set it. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** {@code shutdown_grace} when the file does not set it. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final ServerConfig DEFAULTS = new ServerConfig("0.0.0.0", 8080, defaultPublicUrl(8080), Duration.ofSeconds(60));

    /** With the default request timeout. */
    public ServerConfig(String host, int port, URI publicUrl, Duration idleTimeout) {
        this(host, port, publicUrl, idleTimeout, DEFAULT_REQUEST_TIMEOUT);
    }

    /** One instance, with the default shutdown grace. */
    public ServerConfig(String host, int port, URI publicUrl, Duration idleTimeout, Duration requestTimeout) {
        this(host, port, publicUrl, idleTimeout, requestTimeout, DEFAULT_SHUTDOWN_GRACE, 1);
    }

    /** Where people reach a gateway on this machine, when {@code public_url} is not set. */
    public static URI defaultPublicUrl(int port) {
        return URI.create("http://localhost:" + port);
    }
}
