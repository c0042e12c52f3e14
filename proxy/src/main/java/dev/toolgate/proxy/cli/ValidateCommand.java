package dev.toolgate.proxy.cli;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toolgate validate --config FILE}: loads the file as {@code serve} would, without opening anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a configuration file without starting the gateway: the YAML, every field, every rule's CEL condition.",
                "${VAR} references are filled in from the environment, as serve does."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the file is valid", "1:the file has problems, printed one a line as file:line:col: field: problem"})
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "toolgate.yaml",
            description = "Path to toolgate.yaml (default: ${DEFAULT-VALUE})")
    Path configFile;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Config config = ConfigLoader.load(configFile, System.getenv());
            out.println(configFile + ": valid (" + Plural.of(config.rules().size(), "rule") + ", "
                    + Plural.of(config.keys().size(), "key") + ", policy version " + config.ruleSet().version() + ")");
            return ExitCodes.OK;
        } catch (ConfigException e) {
            // The problems are this command's answer: on stdout, in the form editors and CI link to.
            e.problems().forEach(problem -> out.println(problem));
            return ExitCodes.FOUND;
        } finally {
            out.flush();
        }
    }
}
