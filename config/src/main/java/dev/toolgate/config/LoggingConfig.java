package dev.toolgate.config;

/**
 * The {@code logging} section.
 *
 * @param format how access lines are written
 * @param access whether each request gets an access line (method, path, status, decision, overhead)
 */
public record LoggingConfig(LogFormat format, boolean access) {
    public static final LoggingConfig DEFAULTS = new LoggingConfig(LogFormat.TEXT, true);
}
