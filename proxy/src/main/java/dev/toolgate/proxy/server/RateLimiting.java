package dev.toolgate.proxy.server;

/**
 * Counts an authenticated request against its key's rate limit: every request the key makes
 * counts, whatever its answer (so it runs before the role check), and every answer says how many
 * are left; 429 when none is.
 */
public final class RateLimiting implements RequestStep {
    private final RateLimits rateLimits;

    public RateLimiting(RateLimits rateLimits) {
        this.rateLimits = rateLimits;
    }

    @Override
    public void handle(Exchange exchange, Route route, Chain next) throws Exception {
        if (exchange.principal() != null) {
            rateLimits.take(exchange.principal(), exchange);
        }
        next.proceed(exchange, route);
    }
}
