package dev.toolgate.proxy.cli;

import dev.toolgate.config.ConfigException;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StorageSettings;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What a command prints when its configuration or its database cannot be used, and the exit status it returns. */
final class CommandErrors {
    private CommandErrors() {
    }

    /** One problem a line, {@code file:line:col: field: problem}; returns {@link ExitCodes#BAD_CONFIG}. */
    static int badConfig(PrintWriter err, Path file, ConfigException e) {
        err.println(file + " cannot be used:");
        e.problems().forEach(problem -> err.println(problem));
        err.flush();
        return ExitCodes.BAD_CONFIG;
    }

    /** The storage's own message names the database and the cause; returns {@link ExitCodes#NO_STORAGE}. */
    static int noStorage(PrintWriter err, StorageSettings settings, StorageException e) {
        err.println(e.getMessage());
        if (settings.url().startsWith("jdbc:h2:file:")) {
            err.println("A running gateway holds its embedded H2 file locked: stop it, or run the command on a copy of the file.");
        }
        err.flush();
        return ExitCodes.NO_STORAGE;
    }
}
