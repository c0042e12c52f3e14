package dev.toolgate.config;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code server} section: where the gateway listens, and the URL people reach it at.
 *
 * @param port 0 means a random free port (tests)
 * @param publicUrl the base of approval links; defaults to {@code http://localhost:<port>}
 */
public record ServerConfig(String host, int port, URI publicUrl, Duration idleTimeout) {
    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final ServerConfig DEFAULTS = new ServerConfig("0.0.0.0", 8080, defaultPublicUrl(8080), Duration.ofSeconds(60));

    /** Where people reach a gateway on this machine, when {@code public_url} is not set. */
    public static URI defaultPublicUrl(int port) {
        return URI.create("http://localhost:" + port);
    }
}
