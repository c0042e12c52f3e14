package dev.toolgate.config;

import java.net.URI;

/**
 * The {@code telemetry} section: OpenTelemetry traces, exported over OTLP/HTTP when an endpoint
 * is set, and not recorded at all otherwise.
 *
 * @param otlpEndpoint the collector's traces URL (such as {@code http://collector:4318/v1/traces}), or null
 * @param serviceName the {@code service.name} resource attribute of every span
 */
public record TelemetryConfig(URI otlpEndpoint, String serviceName) {
    public static final String DEFAULT_SERVICE_NAME = "toolgate";
    public static final TelemetryConfig DEFAULTS = new TelemetryConfig(null, DEFAULT_SERVICE_NAME);

    public boolean tracing() {
        return otlpEndpoint != null;
    }
}
