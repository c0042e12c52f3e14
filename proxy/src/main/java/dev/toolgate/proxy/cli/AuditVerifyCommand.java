package dev.toolgate.proxy.cli;

import dev.toolgate.config.ConfigException;
import dev.toolgate.storage.ChainVerification;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.jdbi.JdbiStorage;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toolgate audit verify}: recomputes the audit hash chain from the database, as {@code GET /api/audit/verify} does, offline. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Recomputes the audit log's hash chain and reports the first event that was edited, deleted, inserted or moved.",
                "Removing the newest events leaves no trace in the chain itself: keep the count this prints somewhere else."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the chain is intact", "1:the chain is broken", "2:the configuration file cannot be used",
                "3:the database cannot be opened"})
public final class AuditVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AuditSource source;

    @Option(names = "--workspace", paramLabel = "WORKSPACE", description = "Verify this workspace's chain only (default: every workspace)")
    String workspace;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StorageSettings settings;
        try {
            settings = source.settings();
        } catch (ConfigException e) {
            return CommandErrors.badConfig(err, source.configFile, e);
        }
        ChainVerification result;
        try (Storage storage = JdbiStorage.open(settings, Clock.systemUTC())) {
            result = storage.auditLog().verifyChain(workspace);
        } catch (StorageException e) {
            return CommandErrors.noStorage(err, settings, e);
        }
        String scope = workspace == null ? "every workspace" : "workspace " + workspace;
        if (result.valid()) {
            out.println("Audit chain intact: " + Plural.of(result.events(), "event") + " (" + scope + ", " + settings.displayUrl() + ").");
            out.flush();
            return ExitCodes.OK;
        }
        out.println("Audit chain BROKEN at event " + result.firstBrokenEventId() + ": " + result.reason());
        out.println("Intact before it: " + Plural.of(result.events(), "event") + " (" + scope + ", " + settings.displayUrl() + ")."
                + " Compare the audit_events table with a backup to see what changed.");
        out.flush();
        return ExitCodes.FOUND;
    }
}
