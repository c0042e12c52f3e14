package dev.toolgate.proxy.cli;

import dev.toolgate.config.KeyConfig;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code toolgate keys new}: a random gateway key and the {@code key_sha256} entry that admits it,
 * so the key itself never has to be written on the gateway host.
 */
@Command(name = "new", mixinStandardHelpOptions = true,
        description = {"Prints a new random gateway key and its keys entry for toolgate.yaml (by SHA-256 digest: the file never holds the key).",
                "Nothing is stored: give the key to its owner now."})
public final class NewKeyCommand implements Callable<Integer> {
    static final String PREFIX = "tg-";
    /** 256 bits: as hard to guess as the SHA-256 digest that stands for it. */
    private static final int RANDOM_BYTES = 32;
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "new-agent",
            description = "Who the key is for; names the agent in decisions and the audit (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--role", paramLabel = "ROLE", defaultValue = "agent", description = "agent or admin (default: ${DEFAULT-VALUE})")
    String role;

    @Option(names = "--workspace", paramLabel = "WORKSPACE", description = "The key's workspace (default: default)")
    String workspace;

    @Override
    public Integer call() {
        if (!role.equals("agent") && !role.equals("admin")) {
            throw new ParameterException(spec.commandLine(), "--role: '" + role + "' (expected: agent or admin)");
        }
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);

        PrintWriter out = spec.commandLine().getOut();
        out.println("key:        " + key);
        out.println("key_sha256: " + KeyConfig.sha256Of(key));
        out.println();
        out.println("Give the key to " + name + " (it is shown only here) and add this line to the keys section of toolgate.yaml:");
        out.println("  - { name: " + yaml(name) + ", key_sha256: \"" + KeyConfig.sha256Of(key) + "\", role: " + role
                + (workspace == null ? "" : ", workspace: " + yaml(workspace)) + " }");
        out.flush();
        return ExitCodes.OK;
    }

    /** A plain name as is; anything else double-quoted, so the line stays valid YAML. */
    private static String yaml(String value) {
        if (PLAIN_NAME.matcher(value).matches()) {
            return value;
        }
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
