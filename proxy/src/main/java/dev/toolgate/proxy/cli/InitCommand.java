package dev.toolgate.proxy.cli;

import dev.toolgate.proxy.policies.PolicyTemplates;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code toolgate init --template NAME}: writes a built-in starting configuration ({@link PolicyTemplates}). */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Writes a complete starting toolgate.yaml from a built-in template, which `toolgate validate` accepts.",
                "Templates: engineering, support, finance, cloud, external-messaging."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the file was written", "1:the file exists (use --force to replace it) or cannot be written",
                "2:an unknown template or a malformed command line"})
public final class InitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--template"}, paramLabel = "NAME", required = true,
            description = "One of: engineering, support, finance, cloud, external-messaging")
    String template;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "toolgate.yaml",
            description = "Where to write the configuration (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--force", description = "Replace the file if it exists")
    boolean force;

    @Override
    public Integer call() {
        String content = PolicyTemplates.content(template).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "unknown template '" + template + "' (expected one of: " + String.join(", ", PolicyTemplates.NAMES) + ")"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (force) {
                Files.writeString(output, content, StandardCharsets.UTF_8);
            } else {
                // CREATE_NEW: an existing file is never replaced, even one created after a check.
                Files.writeString(output, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
        } catch (FileAlreadyExistsException e) {
            err.println(output + " exists; not replaced (use --force to replace it)");
            err.flush();
            return ExitCodes.FOUND;
        } catch (IOException e) {
            err.println("cannot write " + output + ": " + e.getMessage());
            err.flush();
            return ExitCodes.FOUND;
        }
        out.println("wrote " + output + " from the " + template + " template; check it with: toolgate validate --config " + output);
        out.flush();
        return ExitCodes.OK;
    }
}
