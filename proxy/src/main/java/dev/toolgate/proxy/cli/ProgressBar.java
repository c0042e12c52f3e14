package dev.toolgate.proxy.cli;

import java.io.PrintWriter;

/** A one-line progress bar for a terminal, redrawn in place only when the percentage it shows changes. */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final long total;
    private final String unit;
    private long done;
    private int shownPercent = -1;
    private int shownLength;

    /** {@code out} is null for no bar at all. */
    private ProgressBar(PrintWriter out, long total, String unit) {
        this.out = out;
        this.total = total;
        this.unit = unit;
    }

    /** A bar drawn on {@code out}, which must be a terminal: it relies on a carriage return going back to the line's start. */
    static ProgressBar on(PrintWriter out, long total, String unit) {
        return new ProgressBar(out, total, unit);
    }

    static ProgressBar none() {
        return new ProgressBar(null, 0, "");
    }

    void advance(long count) {
        done += count;
        if (out == null || total <= 0) {
            return;
        }
        int percent = (int) Math.min(100, done * 100 / total);
        if (percent == shownPercent) {
            return;
        }
        shownPercent = percent;
        int filled = percent * WIDTH / 100;
        String line = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "% "
                + String.format("%,d/%,d %s", Math.min(done, total), total, unit);
        out.print("\r" + line);
        out.flush();
        shownLength = line.length();
    }

    /** Clears the line, so that what is printed next starts on a clean one. */
    void finish() {
        if (out != null && shownPercent >= 0) {
            out.print("\r" + " ".repeat(shownLength) + "\r");
            out.flush();
        }
    }
}
