package dev.toolgate.config;

import java.util.Locale;

/**
 * {@code storage.durability}: SYNC forces each group of audit events to the disk before the calls
 * they record are released (they survive a power loss); OS hands them to the operating system only
 * (they survive the gateway being killed, not the machine losing power), which is cheaper.
 */
public enum Durability {
    SYNC,
    OS;

    /** The lower-case name used in YAML. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
