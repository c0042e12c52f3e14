package dev.toolgate.proxy.cli;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.KeyConfig;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toolgate replay}: tests a candidate policy against the calls the audit log recorded, before deploying it. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-decides the audited calls of a recent window under a candidate configuration and reports what would change,"
                + " grouped by outcome then, outcome now and deciding rule, with examples.",
                "Rules and kill-switch entries added through the API, stored in the database, apply as they would on a gateway"
                        + " started with the candidate. Judged rules are not put to a model: calls one of them could change are counted apart.",
                "Arguments are replayed as the audit stores them, redacted."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no outcome would change", "1:some outcomes would change (fail a CI step on it)",
                "2:the candidate configuration cannot be used", "3:the database cannot be opened"})
public final class ReplayCommand implements Callable<Integer> {
    /** Above this many events, a terminal gets a progress bar. */
    static final long PROGRESS_THRESHOLD = 1_000;

    private final Clock clock;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "CANDIDATE.yaml",
            description = "The candidate configuration: its rules, defaults, kill switch and limits decide; its storage is read unless --storage is given")
    Path candidate;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "7d", converter = DurationConverter.class,
            description = "How far back to replay, such as 7d, 24h or 30m (default: ${DEFAULT-VALUE})")
    Duration since;

    @Mixin
    StorageOptions storage;

    @Option(names = "--workspace", paramLabel = "WORKSPACE",
            description = "A workspace to replay; repeat for several (default: every workspace of the candidate's keys)")
    List<String> workspaces;

    @Option(names = "--json", description = "Print the report as one JSON object")
    boolean json;

    public ReplayCommand() {
        this(Clock.systemUTC());
    }

    /** {@code clock} says when "now" is for {@code --since}. */
    public ReplayCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config;
        try {
            config = ConfigLoader.load(candidate, System.getenv());
        } catch (ConfigException e) {
            return CommandErrors.badConfig(err, candidate, e);
        }
        StorageSettings settings = storage.settings(config.storage());
        List<String> replayed = workspaces != null ? List.copyOf(new TreeSet<>(workspaces)) : workspacesOf(config);
        // Whole seconds: the report prints it, and a window a fraction of a second longer changes nothing.
        Instant from = clock.instant().minus(since).truncatedTo(ChronoUnit.SECONDS);
        ReplayReport report;
        try (Storage opened = JdbiStorage.open(settings, clock)) {
            OfflineDecider decider = OfflineDecider.withStoredState(config, opened);
            report = new ReplayReport(new ReplayReport.Scope(candidate, since, from, replayed,
                    replayed.stream().map(decider::policyVersion).distinct().toList()));
            ProgressBar progress = progressBar(opened.auditLog(), replayed, from, err);
            try {
                new Replay(decider).run(opened.auditLog(), replayed, from, report, progress);
            } finally {
                progress.finish();
            }
        } catch (StorageException e) {
            return CommandErrors.noStorage(err, settings, e);
        }
        if (json) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()));
        } else {
            report.printText(out);
        }
        out.flush();
        return report.changedCalls() == 0 ? ExitCodes.OK : ExitCodes.FOUND;
    }

    /** The workspaces the gateway serves: those of its keys, as {@code Gateway} warms them up. */
    private static List<String> workspacesOf(Config config) {
        TreeSet<String> workspaces = new TreeSet<>();
        config.keys().stream().map(KeyConfig::workspace).forEach(workspaces::add);
        return workspaces.isEmpty() ? List.of(KeyConfig.DEFAULT_WORKSPACE) : List.copyOf(workspaces);
    }

    /** A bar only on a terminal (no carriage returns in a CI log or a redirected file) and only when the wait is long enough to matter. */
    private static ProgressBar progressBar(AuditLog auditLog, List<String> workspaces, Instant from, PrintWriter err) {
        if (System.console() == null) {
            return ProgressBar.none();
        }
        long total = workspaces.stream()
                .mapToLong(workspace -> auditLog.countByDecision(workspace, from).values().stream().mapToLong(Long::longValue).sum())
                .sum();
        return total > PROGRESS_THRESHOLD ? ProgressBar.on(err, total, "events") : ProgressBar.none();
    }
}
