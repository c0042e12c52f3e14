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
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on standard output: time, method, path (never its query, which may carry
 * a key), status, key name, decisions, the gateway's overhead and the whole duration; plain text
 * or one JSON object per line ({@code logging.format}).
 *
 * <p>The event loop only queues the finished request's record; a thread of its own formats the
 * lines (in one reused buffer, the time of day formatted once a second) and writes them in batches,
 * every {@value #BATCH_MILLIS} ms, so a request costs no wake-up and no system call, and a terminal
 * or a pipe that is slow to drain never stalls requests. When the queue is full lines are dropped
 * and counted, and the count is logged once the writer catches up.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final int CAPACITY = 65_536;
    static final long BATCH_MILLIS = 100;

    private final LogFormat format;
    /** Lock-free, bounded by {@link #queued}: the event loops never wait for each other or for the writer. */
    private final Queue<RequestRecord> records = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closing;
    private final Writer out;
    private final Thread writer;
    /** The writer thread's own: a line is built and copied out without a String of its own. */
    private final Timestamps time = new Timestamps();
    private final StringBuilder line = new StringBuilder(256);
    private char[] chars = new char[512];

    public AccessLog(LogFormat format, OutputStream destination) {
        this.format = format;
        this.out = new BufferedWriter(new OutputStreamWriter(destination, StandardCharsets.UTF_8), 64 * 1024);
        this.writer = new Thread(this::writeLines, "toolgate-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void completed(RequestRecord record) {
        if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        records.offer(record);
    }

    /** The line for {@code record}, without its newline, in {@code line} (cleared first). */
    private void formatLine(RequestRecord record, StringBuilder line) {
        line.setLength(0);
        if (format == LogFormat.JSON) {
            json(record, line);
        } else {
            text(record, line);
        }
    }

    private void text(RequestRecord record, StringBuilder line) {
        time.append(record.receivedEpochMillis(), line).append(' ')
                .append(record.method()).append(' ')
                .append(record.path()).append(' ')
                .append(record.status())
                .append(" key=").append(orDash(record.principal()))
                .append(" decision=").append(orDash(record.decisions()))
                .append(" overhead_us=");
        if (record.overheadNanos() < 0) {
            line.append('-');
        } else {
            line.append(record.overheadNanos() / 1_000);
        }
        millis(line.append(" duration_ms="), record.durationNanos());
        if (record.upstreamNanos() >= 0) {
            millis(line.append(" upstream_ms="), record.upstreamNanos());
        }
    }

    private void json(RequestRecord record, StringBuilder line) {
        time.append(record.receivedEpochMillis(), line.append("{\"time\":\"")).append("\",");
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
        line.append(",\"overhead_us\":");
        if (record.overheadNanos() < 0) {
            line.append("null");
        } else {
            line.append(record.overheadNanos() / 1_000);
        }
        millis(line.append(",\"duration_ms\":"), record.durationNanos());
        if (record.upstreamNanos() >= 0) {
            millis(line.append(",\"upstream_ms\":"), record.upstreamNanos());
        }
        line.append('}');
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

    /** Milliseconds with three decimals. */
    private static StringBuilder millis(StringBuilder line, long nanos) {
        long micros = Math.max(0, nanos) / 1_000;
        return thousandths(line.append(micros / 1_000), micros % 1_000);
    }

    /** {@code .nnn}: a fraction of 0 to 999 thousandths, zero-padded. */
    private static StringBuilder thousandths(StringBuilder line, long fraction) {
        return line.append(fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".").append(fraction);
    }

    /**
     * UTC times to the millisecond ({@code 2026-12-05T08:12:09.411Z}), the date and time of day
     * formatted once a second: a busy second's lines differ only in their last digits.
     */
    private static final class Timestamps {
        private long second = Long.MIN_VALUE;
        private String prefix = "";

        StringBuilder append(long epochMillis, StringBuilder line) {
            long thisSecond = Math.floorDiv(epochMillis, 1_000);
            if (thisSecond != second) {
                second = thisSecond;
                prefix = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.ofEpochSecond(thisSecond, 0, ZoneOffset.UTC));
            }
            return thousandths(line.append(prefix), Math.floorMod(epochMillis, 1_000L)).append('Z');
        }
    }

    private void writeLines() {
        try {
            boolean last = false;
            while (!last) {
                last = closing;  // read before the drain: what was queued before close() is written
                for (RequestRecord record; (record = records.poll()) != null; ) {
                    queued.decrementAndGet();
                    formatLine(record, line);
                    line.append('\n');
                    if (chars.length < line.length()) {
                        chars = new char[line.length() * 2];
                    }
                    line.getChars(0, line.length(), chars, 0);
                    out.write(chars, 0, line.length());
                }
                out.flush();
                reportDropped();
                if (!last) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS));
                }
            }
        } catch (IOException e) {
            log.error("access log stopped: standard output cannot be written: {}", e.toString());
        }
    }

    private void reportDropped() {
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            log.warn("{} access line(s) dropped: standard output did not keep up", lost);
        }
    }

    /** Writes the lines already queued, then stops. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
