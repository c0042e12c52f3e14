package dev.toolgate.config.internal;

import dev.toolgate.config.DeliveriesConfig;
import java.time.Duration;
import java.util.List;

/** Binds the {@code deliveries} section. */
final class DeliveriesBinder {
    static final List<String> KEYS = List.of("allow_private", "allow_hosts", "evaluate_every");

    DeliveriesConfig bind(MappingReader section) {
        DeliveriesConfig defaults = DeliveriesConfig.DEFAULTS;
        boolean allowPrivate = section.get("allow_private", ValueTypes.BOOLEAN, defaults.allowPrivate());
        List<String> hosts = section.strings("allow_hosts", "a list of host names or CIDR ranges", "a host name or CIDR range", true);
        Duration every = section.get("evaluate_every", ValueTypes.DURATION, defaults.evaluateEvery());
        return new DeliveriesConfig(allowPrivate, hosts == null ? List.of() : hosts, every);
    }
}
