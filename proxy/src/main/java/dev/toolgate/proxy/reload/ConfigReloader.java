package dev.toolgate.proxy.reload;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.RiskConfig;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.proxy.approval.NotificationSettings;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.proxy.server.GatewayKeys;
import dev.toolgate.proxy.server.RateLimits;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies edits of {@code toolgate.yaml} to the running gateway: the rules, the kill switch, the
 * keys and their rate limits, and the notification settings. It watches the file's directory (an
 * editor often saves by renaming a new file over the old one) and {@link #reload()} is also what
 * SIGHUP calls. An edit that does not load is refused with the loader's {@code file:line:col}
 * problems and the previous config stays in force; a change to a setting that only a restart can
 * apply (the port, the storage URL...) is logged as such. Requests and streams in flight are not
 * touched: each decision reads the rules in force when it is made.
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);
    /** Editors write a file in several steps: the reload waits for the writes to settle. */
    private static final long SETTLE_MILLIS = 150;

    /** What a reload reconfigures in place. */
    public record Targets(RuleBook rules, KillSwitch killSwitch, GatewayKeys keys, RateLimits rateLimits,
                          NotificationSettings notifications, Consumer<RiskConfig> riskScoring) {
    }

    private final Path file;
    private final Map<String, String> environment;
    private final Targets targets;
    private final WatchService watcher;
    private final Thread thread;
    private Config active;
    private byte[] activeDigest;

    private ConfigReloader(Path file, Map<String, String> environment, Config active, Targets targets) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.environment = Map.copyOf(environment);
        this.active = active;
        this.activeDigest = digest(this.file);
        this.targets = targets;
        this.watcher = FileSystems.getDefault().newWatchService();
        this.file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        this.thread = new Thread(this::watch, "toolgate-config-watch");
        thread.setDaemon(true);
    }

    /** Starts watching {@code file}, the one {@code active} was loaded from, with the environment it was loaded with. */
    public static ConfigReloader watch(Path file, Map<String, String> environment, Config active, Targets targets) throws IOException {
        ConfigReloader reloader = new ConfigReloader(file, environment, active, targets);
        reloader.thread.start();
        log.info("Config {}: {} rule(s), policy version {}; edits apply as they are saved (and on SIGHUP)", reloader.file,
                active.rules().size(), active.ruleSet().version());
        return reloader;
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                boolean ours = key.pollEvents().stream().anyMatch(event -> file.getFileName().equals(event.context()));
                key.reset();
                if (ours) {
                    TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
                    drainPending();
                    reloadIfChanged();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // closed
        }
    }

    /** Events that came while the writes settled are the same edit. */
    private void drainPending() {
        for (WatchKey key; (key = watcher.poll()) != null; ) {
            key.pollEvents();
            key.reset();
        }
    }

    private synchronized void reloadIfChanged() {
        byte[] digest;
        try {
            digest = digest(file);
        } catch (IOException e) {
            log.warn("Config not reloaded: {} cannot be read ({}); the previous config stays active", file, e.toString());
            return;
        }
        if (!MessageDigest.isEqual(digest, activeDigest)) {
            reload();
        }
    }

    /**
     * Loads the file again and applies what can change without a restart. Returns whether the new
     * config is in force; false when it was refused (the previous one stays, and the log says why).
     */
    public synchronized boolean reload() {
        Config next;
        byte[] digest;
        try {
            digest = digest(file);
            next = ConfigLoader.load(file, environment);
        } catch (ConfigException e) {
            log.error("Config reload refused: {} has problems; the previous config stays active:{}{}", file,
                    System.lineSeparator(), e.getMessage());
            return false;
        } catch (IOException | RuntimeException e) {
            log.error("Config reload refused: {} could not be read ({}); the previous config stays active", file, e.toString());
            return false;
        }
        try {
            targets.rules().reconfigure(next.rules(), next.policy().defaults(), next.ruleSet());
        } catch (RuleCompileException e) {
            log.error("Config reload refused: rule '{}' clashes with the rules created through the API ({}); the previous"
                    + " config stays active", e.ruleId(), e.getMessage());
            return false;
        }
        targets.killSwitch().reconfigure(next.policy().blockedTools());
        targets.keys().replace(next.keys());
        targets.rateLimits().reconfigure(next.keys());
        targets.notifications().reconfigure(next.notifications());
        targets.riskScoring().accept(next.risk());
        List<String> needRestart = RestartOnlySettings.changed(active, next);
        log.info("Config reloaded from {}: {} rule(s), policy version {} (was {}), {} key(s), {} tool(s) on the kill switch",
                file, next.rules().size(), next.ruleSet().version(), active.ruleSet().version(), next.keys().size(),
                next.policy().blockedTools().size());
        if (!needRestart.isEmpty()) {
            log.warn("Config changes that apply only after a restart (still running with the old values): {}",
                    String.join(", ", needRestart));
        }
        active = next;
        activeDigest = digest;
        return true;
    }

    private static byte[] digest(Path file) throws IOException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            log.debug("closing the config watch: {}", e.toString());
        }
        thread.interrupt();
    }
}
