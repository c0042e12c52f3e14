package dev.toolgate.proxy.cli;

import dev.toolgate.proxy.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** A {@code toolgate} command line run in-process, as {@code java -jar toolgate.jar ...} would run it, and what it printed. */
record CommandRun(int exitCode, String out, String err) {

    /** {@code toolgate args...}. */
    static CommandRun toolgate(String... args) {
        return run(new CommandLine(new Main()), args);
    }

    /** One command, built by the test (with a clock of its own, say), given its arguments. */
    static CommandRun command(Object command, String... args) {
        return run(new CommandLine(command), args);
    }

    private static CommandRun run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    /** For assertion messages: everything the command printed. */
    String printed() {
        return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
    }
}
