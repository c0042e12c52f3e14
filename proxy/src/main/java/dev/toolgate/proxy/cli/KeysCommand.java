package dev.toolgate.proxy.cli;

import picocli.CommandLine.Command;

/** {@code toolgate keys}: gateway keys for the {@code keys} section of toolgate.yaml. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Gateway keys for the keys section of toolgate.yaml.",
        subcommands = NewKeyCommand.class)
public final class KeysCommand {
}
