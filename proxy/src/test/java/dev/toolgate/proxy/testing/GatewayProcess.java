package dev.toolgate.proxy.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway in a JVM of its own ({@code dev.toolgate.proxy.Main} on the test classpath), for
 * what the test JVM cannot show: a capped heap, a {@code kill -9}, memory after a full GC.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final String LISTENING = "Toolgate listening on 127.0.0.1:";

    private final Process process;
    private final Path log;
    private final int port;

    private GatewayProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the gateway with {@code config} (which must listen on 127.0.0.1, port 0) and waits until it serves. */
    public static GatewayProcess start(Path config, Path log, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.toolgate.proxy.Main", "--config", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new GatewayProcess(process, log, awaitPort(process, log));
    }

    private static int awaitPort(Process process, Path log) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 600; attempt++) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    int at = line.indexOf(LISTENING);
                    if (at >= 0) {
                        String rest = line.substring(at + LISTENING.length());
                        return Integer.parseInt(rest.substring(0, rest.indexOf(' ')));
                    }
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("gateway did not start: " + Files.readString(log));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Heap in use right after a full GC, in bytes, as the JVM itself reports it (jcmd). */
    public long heapUsedAfterFullGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        // e.g. " garbage-first heap   total 262144K, used 41234K [0x..."
        for (String line : info.split("\n")) {
            int used = line.indexOf("used ");
            if (line.contains("heap") && used >= 0) {
                String amount = line.substring(used + 5).split("[,\\s\\[]")[0];
                return Long.parseLong(amount.replace("K", "")) * 1024;
            }
        }
        throw new IllegalStateException("no heap figure in: " + info);
    }

    /** Live objects per class after a full GC, as {@code jcmd GC.class_histogram} prints them (largest first). */
    public String classHistogram() throws IOException, InterruptedException {
        return jcmd("GC.class_histogram");
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return output;
    }

    /** The {@code kill -9} of a crash: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
