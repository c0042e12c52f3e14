package dev.toolgate.proxy.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.McpServerConfig;
import dev.toolgate.proxy.server.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A downstream MCP server the gateway runs as a child process and speaks to over its stdin and
 * stdout (one JSON message per line). The gateway supervises it: when it exits, the requests
 * waiting on it fail at once, and it is started again after a backoff that doubles from one second
 * to half a minute (back to one second once it has run for a minute). Its stderr is its log, kept
 * at debug level (it may print what the gateway must not). Writes go through a thread of their
 * own, so a server that stops reading never blocks an event loop. Closing stops the server and
 * the processes it started, even one still being started.
 */
final class StdioConnection extends DownstreamConnection {
    private static final Logger log = LoggerFactory.getLogger(StdioConnection.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration STABLE = Duration.ofMinutes(1);

    private final McpServerConfig config;
    private final ExecutorService writer;
    private final ScheduledExecutorService restarts;
    private volatile Process process;
    private volatile OutputStream stdin;
    private volatile boolean closed;
    /** Completes when the current process has started; a new one is pending while it is restarted. */
    private volatile CompletableFuture<Void> started = new CompletableFuture<>();
    private Duration backoff = FIRST_BACKOFF;

    StdioConnection(McpServerConfig config, Duration timeout) {
        super(config.name(), timeout);
        this.config = config;
        this.writer = Executors.newSingleThreadExecutor(daemon("toolgate-mcp-" + config.name() + "-writer"));
        this.restarts = Executors.newSingleThreadScheduledExecutor(daemon("toolgate-mcp-" + config.name() + "-supervisor"));
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Starts the process (on the supervisor thread) and initializes it. */
    void start() {
        restarts.execute(this::launch);
    }

    private void launch() {
        if (closed) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(config.command());
        builder.environment().putAll(config.env());
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            log.error("Cannot start MCP server '{}' ({}): {}; trying again in {} s", server, config.command().get(0), e.getMessage(),
                    backoff.toSeconds());
            scheduleRestart();
            return;
        }
        // close() may have run while the process started: it saw no process to stop, so stop this one here.
        boolean closedMeanwhile;
        synchronized (this) {
            closedMeanwhile = closed;
            if (!closedMeanwhile) {
                process = child;
                stdin = child.getOutputStream();
            }
        }
        if (closedMeanwhile) {
            stop(child);
            return;
        }
        started.complete(null);
        long startedAt = System.nanoTime();
        log.info("Started MCP server '{}' (pid {})", server, child.pid());
        Thread reader = new Thread(() -> read(child, startedAt), "toolgate-mcp-" + server + "-reader");
        reader.setDaemon(true);
        reader.start();
        Thread errors = new Thread(() -> drainErrors(child), "toolgate-mcp-" + server + "-stderr");
        errors.setDaemon(true);
        errors.start();
        initialized();
    }

    private void read(Process running, long startedAt) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode message;
                try {
                    message = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    log.debug("MCP server '{}' wrote a line that is not JSON on stdout; ignored", server);
                    continue;
                }
                if (message != null && message.isObject()) {
                    received((ObjectNode) message);
                }
            }
        } catch (IOException e) {
            log.debug("MCP server '{}' stdout closed: {}", server, e.toString());
        }
        exited(running, startedAt);
    }

    private void exited(Process running, long startedAt) {
        String why;
        try {
            why = running.waitFor(2, TimeUnit.SECONDS) ? "exited with code " + running.exitValue() : "closed its output";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "closed its output";
        }
        if (process == running) {
            started = new CompletableFuture<>();
            process = null;
            stdin = null;
        }
        lost(why);
        if (closed) {
            return;
        }
        running.destroyForcibly();
        synchronized (this) {
            if (Duration.ofNanos(System.nanoTime() - startedAt).compareTo(STABLE) >= 0) {
                backoff = FIRST_BACKOFF;
            }
        }
        log.warn("MCP server '{}' {}; starting it again in {} s", server, why, backoff.toSeconds());
        scheduleRestart();
    }

    private synchronized void scheduleRestart() {
        if (closed) {
            return;
        }
        restarts.schedule(this::launch, backoff.toMillis(), TimeUnit.MILLISECONDS);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private void drainErrors(Process running) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(running.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                log.debug("[mcp:{}] {}", server, line);
            }
        } catch (IOException e) {
            // The process is gone; the reader reports it.
        }
    }

    @Override
    protected CompletableFuture<Void> ready() {
        return started;
    }

    @Override
    protected void send(ObjectNode message) {
        OutputStream out = stdin;
        if (out == null) {
            throw new IllegalStateException("is not running (it is being started again)");
        }
        byte[] line = (message.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        writer.execute(() -> {
            try {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                log.debug("cannot write to MCP server '{}': {}", server, e.toString());
            }
        });
    }

    /**
     * Stops a server and what it started (launchers such as {@code npx} or {@code uvx} run the server
     * as their own child): SIGTERM, and SIGKILL for whatever is left after 2 s.
     */
    private static void stop(Process running) {
        List<ProcessHandle> descendants = running.descendants().toList();
        running.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            running.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running.destroyForcibly();
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        Process running;
        synchronized (this) {
            closed = true;
            running = process;
        }
        restarts.shutdownNow();
        if (running != null) {
            stop(running);
        }
        lost("is shutting down");
        writer.shutdownNow();
    }
}
