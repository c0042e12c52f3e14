package dev.toolgate.proxy.cli;

import picocli.CommandLine.Command;

/** {@code toolgate audit}: the audit log read straight from the database, without a running gateway. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "The audit log, read straight from the database: check its hash chain, export it.",
        subcommands = {AuditVerifyCommand.class, AuditExportCommand.class})
public final class AuditCommand {
}
