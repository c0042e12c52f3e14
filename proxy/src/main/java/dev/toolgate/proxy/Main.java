package dev.toolgate.proxy;

import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.ParsedConfig;
import dev.toolgate.storage.StorageException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar toolgate.jar --config toolgate.yaml}: starts the gateway and runs until stopped. */
@Command(name = "toolgate", mixinStandardHelpOptions = true, version = "Toolgate 0.1.0",
        description = "Governance gateway for AI agent tool calls: an OpenAI-compatible intercepting proxy.")
public final class Main implements Callable<Integer> {
    /** Exit status for a configuration the gateway refuses to start with. */
    static final int EXIT_BAD_CONFIG = 2;
    /** Exit status when the database cannot be opened (unreachable, refused credentials, failed migration). */
    static final int EXIT_NO_STORAGE = 3;

    @Option(names = {"-c", "--config"}, description = "Path to toolgate.yaml (default: ${DEFAULT-VALUE})",
            defaultValue = "toolgate.yaml")
    private Path configFile;

    public static void main(String[] args) {
        int status = new CommandLine(new Main()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    @Override
    public Integer call() throws Exception {
        Gateway gateway;
        try {
            // Read, then compile the rules while the database opens: see Gateway.start(ParsedConfig, Clock).
            ParsedConfig config = ConfigLoader.read(configFile, System.getenv());
            gateway = Gateway.start(config, Clock.systemUTC());
        } catch (ConfigException e) {
            System.err.println("Toolgate cannot start: " + configFile + " has problems:");
            System.err.println(e.getMessage());
            return EXIT_BAD_CONFIG;
        } catch (StorageException e) {
            System.err.println("Toolgate cannot start: " + e.getMessage());
            return EXIT_NO_STORAGE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM and SIGINT: requests in flight finish (server.shutdown_grace), then the audit is flushed.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.shutdown();
            stopped.countDown();
        }, "toolgate-shutdown"));
        stopped.await();
        return 0;
    }
}
