package dev.toolgate.proxy.telemetry;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.toolgate.config.LogFormat;
import dev.toolgate.proxy.server.RequestObserver;
import dev.toolgate.proxy.server.RequestRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on standard output: time, method, path (never its query, which may carry
 * a key), status, key name, decisions, the gateway's overhead and the whole duration; plain text
 * or one JSON object per line ({@code logging.format}).
 *
 * <p>Lines are formatted on the event loop and written by a thread of their own: a terminal or a
 * pipe that is slow to drain must not stall requests. When the queue is full lines are dropped and
 * counted, and the count is logged once the writer catches up.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final int CAPACITY = 16_384;
    /** Queued by close(); compared by identity, so no line can be mistaken for it. */
    private static final String STOP = new String("stop");

    private final LogFormat format;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Writer out;
    private final Thread writer;

    public AccessLog(LogFormat format, OutputStream destination) {
        this.format = format;
        this.out = new BufferedWriter(new OutputStreamWriter(destination, StandardCharsets.UTF_8), 64 * 1024);
        this.writer = new Thread(this::writeLines, "toolgate-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void completed(RequestRecord record) {
        if (!lines.offer(format == LogFormat.JSON ? json(record) : text(record))) {
            dropped.incrementAndGet();
        }
    }

    static String text(RequestRecord record) {
        StringBuilder line = new StringBuilder(160)
                .append(Instant.ofEpochMilli(record.receivedEpochMillis())).append(' ')
                .append(record.method()).append(' ')
                .append(record.path()).append(' ')
                .append(record.status())
                .append(" key=").append(orDash(record.principal()))
                .append(" decision=").append(orDash(record.decisions()))
                .append(" overhead_us=").append(record.overheadNanos() < 0 ? "-" : Long.toString(record.overheadNanos() / 1_000))
                .append(" duration_ms=").append(millis(record.durationNanos()));
        if (record.upstreamNanos() >= 0) {
            line.append(" upstream_ms=").append(millis(record.upstreamNanos()));
        }
        return line.toString();
    }

    static String json(RequestRecord record) {
        StringBuilder line = new StringBuilder(200).append('{');
        field(line, "time", Instant.ofEpochMilli(record.receivedEpochMillis()).toString()).append(',');
        field(line, "method", record.method()).append(',');
        field(line, "path", record.path()).append(',');
        field(line, "route", record.route()).append(',');
        line.append("\"status\":").append(record.status()).append(',');
        field(line, "key", record.principal()).append(',');
        line.append("\"decisions\":");
        if (record.decisions() == null) {
            line.append("[]");
        } else {
            line.append('[');
            String[] words = record.decisions().split(",");
            for (int i = 0; i < words.length; i++) {
                line.append(i == 0 ? "" : ",").append('"').append(words[i]).append('"');
            }
            line.append(']');
        }
        line.append(",\"overhead_us\":").append(record.overheadNanos() < 0 ? "null" : Long.toString(record.overheadNanos() / 1_000));
        line.append(",\"duration_ms\":").append(millis(record.durationNanos()));
        if (record.upstreamNanos() >= 0) {
            line.append(",\"upstream_ms\":").append(millis(record.upstreamNanos()));
        }
        return line.append('}').toString();
    }

    private static StringBuilder field(StringBuilder line, String name, String value) {
        line.append('"').append(name).append("\":");
        if (value == null) {
            return line.append("null");
        }
        line.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, line);
        return line.append('"');
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }

    /** Milliseconds with three decimals, without String.format's cost on the event loop. */
    static String millis(long nanos) {
        long micros = Math.max(0, nanos) / 1_000;
        long fraction = micros % 1_000;
        return (micros / 1_000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }

    private void writeLines() {
        try {
            while (true) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line == null) {
                    continue;
                }
                if (line == STOP) {
                    break;
                }
                out.write(line);
                out.write('\n');
                if (lines.isEmpty()) {
                    reportDropped();
                    out.flush();
                }
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.error("access log stopped: standard output cannot be written: {}", e.toString());
        }
    }

    private void reportDropped() throws IOException {
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            log.warn("{} access line(s) dropped: standard output did not keep up", lost);
        }
    }

    /** Writes the lines already queued, then stops. */
    @Override
    public void close() {
        try {
            lines.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
