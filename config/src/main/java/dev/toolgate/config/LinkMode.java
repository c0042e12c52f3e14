package dev.toolgate.config;

import java.util.Locale;

/** How an approval link decides: CONFIRM shows a page with a button (safe from mail scanners), DIRECT decides on GET. */
public enum LinkMode {
    CONFIRM,
    DIRECT;

    /** The lower-case name used in YAML. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
