package dev.toolgate.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code deliveries} section: how alert delivery targets' webhook URLs are screened and how
 * often alert rules are evaluated. Webhooks to loopback, link-local, private and metadata addresses
 * are refused unless {@code allowPrivate} is set or the host (or a CIDR holding its address) is in
 * {@code allowHosts}.
 */
public record DeliveriesConfig(boolean allowPrivate, List<String> allowHosts, Duration evaluateEvery) {
    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final DeliveriesConfig DEFAULTS = new DeliveriesConfig(false, List.of(), Duration.ofSeconds(30));

    public DeliveriesConfig {
        allowHosts = List.copyOf(allowHosts);
    }
}
