package dev.toolgate.config;

import java.util.Locale;

/** {@code logging.format}: plain text lines for a terminal, or one JSON object per line for a log pipeline. */
public enum LogFormat {
    TEXT,
    JSON;

    /** The lower-case name used in YAML. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
