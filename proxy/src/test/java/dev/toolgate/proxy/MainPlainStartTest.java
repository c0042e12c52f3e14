package dev.toolgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usual start command, recognised without building the command-line model, and everything else left to it. */
class MainPlainStartTest {

    @Test
    void theUsualStartCommandsAreRecognised() {
        assertThat(Main.plainStart(new String[0])).contains(Path.of("toolgate.yaml"));
        assertThat(Main.plainStart(new String[] {"serve"})).contains(Path.of("toolgate.yaml"));
        assertThat(Main.plainStart(new String[] {"--config", "a.yaml"})).contains(Path.of("a.yaml"));
        assertThat(Main.plainStart(new String[] {"-c", "a.yaml"})).contains(Path.of("a.yaml"));
        assertThat(Main.plainStart(new String[] {"--config=a.yaml"})).contains(Path.of("a.yaml"));
        assertThat(Main.plainStart(new String[] {"serve", "--config", "a.yaml"})).contains(Path.of("a.yaml"));
    }

    @Test
    void anythingElseGoesToTheCommandLineModel() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"serve", "--help"}, new String[] {"--version"},
                new String[] {"--config"}, new String[] {"--config", "--help"}, new String[] {"--config="},
                new String[] {"--config", "a.yaml", "--help"}, new String[] {"validate", "--config", "a.yaml"},
                new String[] {"serve", "-c"}, new String[] {"a.yaml"}, new String[] {"--conf", "a.yaml"})) {
            assertThat(Main.plainStart(args)).as(String.join(" ", args)).isEqualTo(Optional.empty());
        }
    }

    @Test
    void aPlainStartRefusesABrokenFileAsTheCommandLineDoes(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("toolgate.yaml"), "server: { port: many }\n");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", broken.toString())
                .redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(printed).isEqualTo(Main.EXIT_BAD_CONFIG);
        assertThat(printed).contains("Toolgate cannot start: " + broken + " has problems:\ntoolgate.yaml:1:");
    }
}
