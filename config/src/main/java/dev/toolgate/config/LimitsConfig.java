package dev.toolgate.config;

/** The {@code limits} section, in bytes: larger bodies are refused (413) rather than buffered. */
public record LimitsConfig(long maxRequestBytes, long maxResponseBytes, long maxToolArgumentBytes) {
    private static final long MIB = 1024L * 1024L;

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final LimitsConfig DEFAULTS = new LimitsConfig(10 * MIB, 32 * MIB, MIB);
}
