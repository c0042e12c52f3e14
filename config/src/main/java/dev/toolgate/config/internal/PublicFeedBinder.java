package dev.toolgate.config.internal;

import dev.toolgate.config.PublicFeedConfig;
import java.util.List;

/** Binds the {@code public_feed} section; an enabled feed must name the agents it shows. */
final class PublicFeedBinder {
    static final List<String> KEYS = List.of("enabled", "agents", RateLimitReader.KEY);

    private final NodeReader reader;

    PublicFeedBinder(NodeReader reader) {
        this.reader = reader;
    }

    PublicFeedConfig bind(MappingReader section) {
        PublicFeedConfig defaults = PublicFeedConfig.DEFAULTS;
        boolean enabled = section.get("enabled", ValueTypes.BOOLEAN, defaults.enabled());
        List<String> agents = section.strings("agents", "a list of agent key names", "an agent key name", true);
        if (enabled && (agents == null || agents.isEmpty()) && !section.has("agents")) {
            section.reportMissing("agents", "the key names of the agents the public feed shows, such as [refund-bot]");
        }
        return new PublicFeedConfig(enabled, agents == null ? List.of() : agents,
                RateLimitReader.read(reader, section, defaults.rateLimit()));
    }
}
