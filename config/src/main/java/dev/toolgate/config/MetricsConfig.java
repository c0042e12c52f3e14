package dev.toolgate.config;

/**
 * The {@code metrics} section. {@code /metrics} on the gateway's own port answers an admin key;
 * {@code listen} ({@code host:port}) adds a second listener that serves only {@code /metrics},
 * with no key, for a Prometheus scraper on a private network.
 *
 * @param enabled whether metrics are recorded and served at all
 * @param listenHost the separate listener's host, or null for none
 * @param listenPort the separate listener's port (0: any free port), meaningful when {@code listenHost} is set
 */
public record MetricsConfig(boolean enabled, String listenHost, int listenPort) {
    public static final MetricsConfig DEFAULTS = new MetricsConfig(true, null, 0);

    public boolean hasOwnListener() {
        return enabled && listenHost != null;
    }
}
