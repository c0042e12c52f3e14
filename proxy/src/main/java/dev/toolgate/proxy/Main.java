package dev.toolgate.proxy;

import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.ParsedConfig;
import dev.toolgate.config.UnusableSettingException;
import dev.toolgate.proxy.cli.AuditCommand;
import dev.toolgate.proxy.cli.CheckCommand;
import dev.toolgate.proxy.cli.ExitCodes;
import dev.toolgate.proxy.cli.KeysCommand;
import dev.toolgate.proxy.cli.ReplayCommand;
import dev.toolgate.proxy.cli.InitCommand;
import dev.toolgate.proxy.cli.ValidateCommand;
import dev.toolgate.proxy.reload.ReloadSignal;
import dev.toolgate.storage.StorageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar toolgate.jar serve --config toolgate.yaml}: starts the gateway and runs until stopped
 * ({@code --config} without a command does the same); the other commands work offline on a config file or the database.
 */
@Command(name = "toolgate", mixinStandardHelpOptions = true, version = "Toolgate 0.1.0",
        description = {"Governance gateway for AI agent tool calls: an OpenAI-compatible intercepting proxy.",
                "Without a command, starts the gateway as serve does."},
        subcommands = {Main.Serve.class, ValidateCommand.class, InitCommand.class, CheckCommand.class, ReplayCommand.class, KeysCommand.class, AuditCommand.class})
public final class Main implements Callable<Integer> {
    /** Exit status for a configuration the gateway refuses to start with. */
    static final int EXIT_BAD_CONFIG = ExitCodes.BAD_CONFIG;
    /** Exit status when the database cannot be opened (unreachable, refused credentials, failed migration). */
    static final int EXIT_NO_STORAGE = ExitCodes.NO_STORAGE;
    /** Commands that print a result: the storage's INFO lines (migrations, pools) would bury it. */
    private static final Set<String> OFFLINE_COMMANDS = Set.of("validate", "check", "replay", "keys", "audit");

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Path to toolgate.yaml (default: ${DEFAULT-VALUE})",
            defaultValue = "toolgate.yaml")
    private Path configFile;

    public static void main(String[] args) throws InterruptedException {
        Optional<Path> plainStart = plainStart(args);
        if (plainStart.isPresent()) {
            int status = serve(plainStart.get(), new PrintWriter(System.err, true));
            if (status != 0) {
                System.exit(status);
            }
            return;
        }
        if (args.length > 0 && OFFLINE_COMMANDS.contains(args[0])) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                    System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        }
        int status = new CommandLine(new Main()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        return serve(configFile, spec.commandLine().getErr());
    }

    /**
     * The config file of the usual start command, {@code [serve] [--config FILE]} ({@code -c FILE},
     * {@code --config=FILE}); empty for any other command line. Such a start skips building
     * picocli's model of every command, a large part of a cold start; the rest go through picocli.
     */
    static Optional<Path> plainStart(String[] args) {
        int at = args.length > 0 && args[0].equals("serve") ? 1 : 0;
        String config = "toolgate.yaml";
        if (at < args.length) {
            String option = args[at];
            if (option.startsWith("--config=") && args.length == at + 1) {
                config = option.substring("--config=".length());
            } else if ((option.equals("--config") || option.equals("-c")) && args.length == at + 2) {
                config = args[at + 1];
            } else {
                return Optional.empty();
            }
        }
        return config.isEmpty() || config.startsWith("-") ? Optional.empty() : Optional.of(Path.of(config));
    }

    /** {@code toolgate serve}: what {@code --config} without a command does, under its own name. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Starts the gateway and runs until stopped (SIGTERM or SIGINT let requests in flight finish).",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:stopped", "2:the configuration file cannot be used", "3:the database cannot be opened"})
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "toolgate.yaml",
                description = "Path to toolgate.yaml (default: ${DEFAULT-VALUE})")
        Path configFile;

        @Override
        public Integer call() throws InterruptedException {
            return serve(configFile, spec.commandLine().getErr());
        }
    }

    private static int serve(Path configFile, PrintWriter err) throws InterruptedException {
        Gateway gateway;
        try {
            // Read, then compile the rules while the database opens: see Gateway.start(ParsedConfig, Clock).
            ParsedConfig config = ConfigLoader.read(configFile, System.getenv());
            gateway = Gateway.start(config, Clock.systemUTC());
        } catch (ConfigException e) {
            err.println("Toolgate cannot start: " + configFile + " has problems:");
            err.println(e.getMessage());
            err.flush();
            return EXIT_BAD_CONFIG;
        } catch (UnusableSettingException e) {
            err.println("Toolgate cannot start: " + configFile + ": " + e.getMessage());
            err.flush();
            return EXIT_BAD_CONFIG;
        } catch (StorageException e) {
            err.println("Toolgate cannot start: " + e.getMessage());
            err.flush();
            return EXIT_NO_STORAGE;
        }
        try {
            // Edits of the file apply as they are saved, and on SIGHUP.
            ReloadSignal.install(gateway.watchConfig(configFile, System.getenv()));
        } catch (IOException e) {
            err.println("Toolgate cannot watch " + configFile + " for edits (" + e.getMessage() + "); restart it to apply changes");
            err.flush();
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
