package dev.toolgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.ConfigProblem;
import dev.toolgate.proxy.testing.TestGateway;
import dev.toolgate.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting from a file read but not compiled ({@code java -jar toolgate.jar}): the database opens
 * while the rules compile, and either failing still stops the start with its own message.
 */
class GatewayStartTest {
    private static final String RULES = """
            rules:
              - id: big-transfers
                tools: [wire_transfer]
                when: "has(args.amount) && args.amount > 1000"
                action: approve
            """;
    private static final String BAD_RULES = """
            rules:
              - id: big-transfers
                tools: [wire_transfer]
                when: "args.amount >"
                action: approve
            """;

    private final OkHttpClient http = new OkHttpClient();

    @TempDir
    Path dir;

    @Test
    void startsAndServes() throws Exception {
        Path file = config("jdbc:h2:file:" + dir.resolve("toolgate"), RULES);

        try (Gateway gateway = Gateway.start(ConfigLoader.read(file, Map.of()), Clock.systemUTC())) {
            assertThat(health(gateway)).isEqualTo(200);
            assertThat(gateway.storage().rules().all()).isEmpty();
        }
    }

    @Test
    void aRuleThatDoesNotCompileStopsTheStartAndLeavesTheDatabaseUsable() throws Exception {
        String database = "jdbc:h2:file:" + dir.resolve("toolgate");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> Gateway.start(ConfigLoader.read(config(database, BAD_RULES), Map.of()), Clock.systemUTC()));

        assertThat(e.problems()).extracting(ConfigProblem::toString).singleElement().asString()
                .startsWith("toolgate.yaml:12:").contains("rules[0].when: CEL does not compile");
        // The database opened meanwhile was closed whole: the corrected file starts on it.
        try (Gateway gateway = Gateway.start(ConfigLoader.read(config(database, RULES), Map.of()), Clock.systemUTC())) {
            assertThat(health(gateway)).isEqualTo(200);
        }
    }

    @Test
    void aDatabaseThatCannotOpenStopsTheStart() throws IOException {
        Path file = config("jdbc:h2:file:" + dir.resolve("missing") + ";IFEXISTS=TRUE", RULES);

        StorageException fromFile = catchThrowableOfType(StorageException.class,
                () -> Gateway.start(ConfigLoader.read(file, Map.of()), Clock.systemUTC()));
        StorageException fromConfig = catchThrowableOfType(StorageException.class,
                () -> Gateway.start(ConfigLoader.load(file, Map.of()), Clock.systemUTC()));

        assertThat(fromFile).hasMessageStartingWith("cannot open the database at jdbc:h2:file:");
        assertThat(fromConfig).hasMessage(fromFile.getMessage());
    }

    private Path config(String databaseUrl, String rules) throws IOException {
        return Files.writeString(dir.resolve("toolgate.yaml"), """
                server: { host: 127.0.0.1, port: 0 }
                upstream: { base_url: "http://127.0.0.1:9/v1" }
                storage:
                  url: "%s"
                keys:
                  - { name: support-bot, key: %s, role: agent }
                policy:
                  default: allow
                """.formatted(databaseUrl, TestGateway.AGENT_KEY) + rules);
    }

    private int health(Gateway gateway) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url("http://127.0.0.1:" + gateway.port() + "/healthz").build())
                .execute()) {
            return response.code();
        }
    }
}
