package dev.toolgate.proxy.reload;

import dev.toolgate.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings a running gateway cannot take from a reloaded file (it listens, connects and
 * starts its workers with them) and which of them an edit changed, so the reload can say so.
 */
final class RestartOnlySettings {
    private record Setting(String name, Function<Config, Object> value) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("server (host, port, public_url, timeouts, instances)", Config::server),
            new Setting("storage (url, user, password, timeout, durability)", Config::storage),
            new Setting("upstream", Config::upstream),
            new Setting("anthropic", Config::anthropic),
            new Setting("approvals", Config::approvals),
            new Setting("notifications.email (the SMTP server)", config -> config.notifications().email()),
            new Setting("response", Config::response),
            new Setting("limits", Config::limits),
            new Setting("redaction", Config::redaction),
            new Setting("judge", Config::judge),
            new Setting("mcp", Config::mcp),
            new Setting("logging", Config::logging),
            new Setting("metrics", Config::metrics),
            new Setting("telemetry", Config::telemetry),
            new Setting("agents (the circuit breaker)", Config::agents),
            new Setting("public_feed", Config::publicFeed),
            new Setting("deliveries", Config::deliveries));

    private RestartOnlySettings() {
    }

    static List<String> changed(Config running, Config edited) {
        List<String> changed = new ArrayList<>();
        for (Setting setting : SETTINGS) {
            if (!Objects.equals(setting.value().apply(running), setting.value().apply(edited))) {
                changed.add(setting.name());
            }
        }
        return changed;
    }
}
