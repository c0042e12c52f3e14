package dev.toolgate.proxy.cli;

import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Configuration files for the command tests: the keys of {@link TestGateway}, a database and the rules under test. */
final class ConfigFiles {
    private ConfigFiles() {
    }

    /** {@code dir/name} with the test gateway's keys, {@code storageUrl} and {@code policyYaml}. */
    static Path write(Path dir, String name, String storageUrl, String policyYaml) throws IOException {
        return Files.writeString(dir.resolve(name), """
                server: { host: 127.0.0.1, port: 0 }
                upstream: { base_url: "http://127.0.0.1:9/v1" }
                storage:
                  url: "%s"
                keys:
                  - { name: support-bot, key: %s, role: agent }
                  - { name: ops, key: %s, role: admin }
                  - { name: other-ops, key: %s, role: admin, workspace: other }
                """.formatted(storageUrl, TestGateway.AGENT_KEY, TestGateway.ADMIN_KEY, TestGateway.OTHER_WORKSPACE_ADMIN_KEY)
                + policyYaml);
    }
}
