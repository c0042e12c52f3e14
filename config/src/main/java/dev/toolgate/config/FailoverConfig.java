package dev.toolgate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The endpoints a provider section ({@code upstream}, {@code anthropic}) fails over to, after its
 * own {@code base_url}, and when: an endpoint over a threshold within the window is moved behind
 * healthy ones, one whose health check fails is skipped until a check passes again.
 *
 * @param fallbacks in the order they are tried after the primary; empty: no failover
 */
public record FailoverConfig(List<Fallback> fallbacks, Conditions conditions, HealthCheck healthCheck) {

    /** No fallbacks: the primary alone, as before failover existed. */
    public static FailoverConfig none(String healthPath) {
        return new FailoverConfig(List.of(), Conditions.DEFAULTS, HealthCheck.defaults(healthPath));
    }

    public FailoverConfig {
        fallbacks = List.copyOf(fallbacks);
    }

    /**
     * One fallback endpoint.
     *
     * @param apiKey empty: forward the client's credential, as the primary does without a key
     * @param model replaces the request's {@code model} on this endpoint; empty keeps it
     */
    public record Fallback(URI baseUrl, String apiKey, String model) {
        @Override
        public String toString() {
            return "Fallback[baseUrl=" + baseUrl + ", apiKey=" + Secrets.mask(apiKey) + ", model=" + model + "]";
        }
    }

    /**
     * When an endpoint counts as degraded: over {@code errorRateThreshold} (0 to 1) of its requests
     * failed, or their mean time to the answer's head is over {@code latencyThreshold} (null: no
     * latency condition), within the last {@code window}, once it saw {@code minRequests} there.
     */
    public record Conditions(double errorRateThreshold, Duration latencyThreshold, Duration window, int minRequests) {
        public static final Conditions DEFAULTS = new Conditions(0.5, null, Duration.ofSeconds(60), 5);
    }

    /**
     * Periodic {@code GET} of {@code path} under each endpoint's base URL; a connection failure,
     * timeout, 429 or 5xx marks the endpoint unhealthy until a check passes.
     */
    public record HealthCheck(boolean enabled, Duration interval, String path, Duration timeout) {
        public static HealthCheck defaults(String path) {
            return new HealthCheck(true, Duration.ofSeconds(30), path, Duration.ofSeconds(5));
        }
    }
}
