package dev.toolgate.proxy.cli;

import dev.toolgate.config.ConfigException;
import dev.toolgate.proxy.api.AuditEventJson;
import dev.toolgate.proxy.api.CsvRows;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.AuditQuery;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code toolgate audit export}: a workspace's audit events as CSV (the columns of {@code GET /api/logs/export})
 * or JSON lines (the objects of {@code GET /api/logs}), newest first, read in batches so any size fits.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes a workspace's audit events, newest first, as CSV (as GET /api/logs/export) or JSON lines (as GET /api/logs).",
                "Arguments are exported as the audit stores them: redacted."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:exported", "2:the configuration file cannot be used", "3:the database cannot be opened"})
public final class AuditExportCommand implements Callable<Integer> {
    private static final int BATCH = 500;

    private final Clock clock;

    @Spec
    CommandSpec spec;

    @Mixin
    AuditSource source;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv", description = "csv or jsonl (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--workspace", paramLabel = "WORKSPACE", defaultValue = "default", description = "Whose events (default: ${DEFAULT-VALUE})")
    String workspace;

    @Option(names = "--since", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Only events of the last DURATION, such as 7d, 24h or 30m (default: all)")
    Duration since;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output")
    Path output;

    public AuditExportCommand() {
        this(Clock.systemUTC());
    }

    /** {@code clock} says when "now" is for {@code --since}. */
    public AuditExportCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() throws IOException {
        if (!format.equals("csv") && !format.equals("jsonl")) {
            throw new ParameterException(spec.commandLine(), "--format: '" + format + "' (expected: csv or jsonl)");
        }
        PrintWriter err = spec.commandLine().getErr();
        StorageSettings settings;
        try {
            settings = source.settings();
        } catch (ConfigException e) {
            return CommandErrors.badConfig(err, source.configFile, e);
        }
        AuditQuery filters = AuditQuery.of(workspace).withSince(since == null ? null : clock.instant().minus(since));
        try (Storage storage = JdbiStorage.open(settings, clock)) {
            if (output == null) {
                PrintWriter out = spec.commandLine().getOut();
                write(storage.auditLog(), filters, out);
                out.flush();
            } else {
                long written;
                try (Writer file = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                    written = write(storage.auditLog(), filters, file);
                }
                err.println("Exported " + Plural.of(written, "event") + " of workspace " + workspace + " to " + output + ".");
                err.flush();
            }
        } catch (StorageException e) {
            return CommandErrors.noStorage(err, settings, e);
        }
        return ExitCodes.OK;
    }

    /** Walks the matching events newest first, one batch at a time; returns how many were written. */
    private long write(AuditLog auditLog, AuditQuery filters, Writer out) throws IOException {
        if (format.equals("csv")) {
            out.write(CsvRows.HEADER);
        }
        long written = 0;
        long before = Long.MAX_VALUE;
        List<AuditEvent> batch;
        do {
            batch = auditLog.queryBefore(filters, before, BATCH);
            for (AuditEvent event : batch) {
                out.write(format.equals("csv") ? CsvRows.row(event) : AuditEventJson.of(event).toString() + "\n");
            }
            written += batch.size();
            if (!batch.isEmpty()) {
                before = batch.get(batch.size() - 1).id();
            }
        } while (batch.size() == BATCH);
        return written;
    }
}
