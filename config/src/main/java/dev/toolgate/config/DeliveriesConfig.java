package dev.toolgate.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code deliveries} section: how alert delivery targets' webhook URLs are screened and how
 * often alert rules are evaluated. Webhooks to loopback, link-local, private and metadata addresses
 * are refused unless {@code allowPrivate} is set or the host (or a CIDR holding its address) is in
 * {@code allowHosts}.
 */
public record DeliveriesConfig(boolean allowPrivate, List<String> allowHosts, Duration evaluateEvery, List<Target> targets) {
    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final DeliveriesConfig DEFAULTS = new DeliveriesConfig(false, List.of(), Duration.ofSeconds(30), List.of());

    public DeliveriesConfig {
        allowHosts = List.copyOf(allowHosts);
        targets = List.copyOf(targets);
    }

    /**
     * A delivery target defined in {@code toolgate.yaml}: shown by {@code GET /api/deliveries}, usable
     * by alert rules, changed only in the file.
     *
     * @param destination the {@code url}, {@code webhook_url} or {@code to}, by type
     * @param secret the HMAC key of a {@code webhook}'s signature; null for the other types
     */
    public record Target(String workspace, String name, String type, String destination, String secret, String defaultSeverity) {
        /** Names the target only: its destination and secret are credentials. */
        @Override
        public String toString() {
            return "Target[" + workspace + "/" + name + " (" + type + ")]";
        }
    }
}
