package dev.toolgate.proxy.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.config.McpServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Stopping a stdio MCP server's connection leaves no process behind: not when its process is still
 * being started, nor what that process started itself (as launchers such as {@code npx} do). The
 * commands never speak MCP: only whether they are left running matters. Each test's sleep has its
 * own duration, by which its processes are told apart.
 */
class StdioConnectionCloseTest {

    @Test
    void closingWhileTheProcessStartsStopsIt() throws InterruptedException {
        McpServerConfig config = McpServerConfig.stdio("sleeper", List.of("sleep", "313.1"), Map.of());
        for (int attempt = 0; attempt < 20; attempt++) {
            StdioConnection connection = new StdioConnection(config, Duration.ofSeconds(5));
            connection.start();
            connection.close();
        }

        assertNoneLeft("313.1");
    }

    @Test
    void closingStopsWhatTheServerStarted() throws InterruptedException {
        McpServerConfig config = McpServerConfig.stdio("launcher", List.of("sh", "-c", "sleep 313.2 & wait"), Map.of());
        StdioConnection connection = new StdioConnection(config, Duration.ofSeconds(5));
        connection.start();
        assertThat(await(() -> running("313.2").size() == 2)).as("the launcher and its child are running").isTrue();

        connection.close();

        assertNoneLeft("313.2");
    }

    private static void assertNoneLeft(String marker) throws InterruptedException {
        await(() -> running(marker).isEmpty());
        List<ProcessHandle> left = running(marker);
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("processes still running after close").isEmpty();
    }

    /** Every process on this machine whose command line holds {@code marker}: orphans too, whatever adopted them. */
    private static List<ProcessHandle> running(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info().commandLine().orElse("").contains(marker))
                .toList();
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
