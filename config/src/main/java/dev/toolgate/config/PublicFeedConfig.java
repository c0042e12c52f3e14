package dev.toolgate.config;

import java.util.List;

/**
 * The {@code public_feed} section: a sanitized, unauthenticated view of what allow-listed agents
 * do ({@code GET /public/live/status}, {@code GET /public/live/feed}). Off by default.
 *
 * @param agents the agents (key names) shown; no other agent appears
 * @param rateLimit per client address, for both routes together
 */
public record PublicFeedConfig(boolean enabled, List<String> agents, RateLimitConfig rateLimit) {
    /** The section as it is when {@code toolgate.yaml} leaves it out: off. */
    public static final PublicFeedConfig DEFAULTS = new PublicFeedConfig(false, List.of(), new RateLimitConfig(60, 20));

    public PublicFeedConfig {
        agents = List.copyOf(agents);
    }
}
