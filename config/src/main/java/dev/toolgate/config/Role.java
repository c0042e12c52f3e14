package dev.toolgate.config;

import java.util.Locale;

/** What a gateway key may do: agents call the proxy and {@code /api/intercept}, admins everything. */
public enum Role {
    AGENT,
    ADMIN;

    /** The lower-case name used in YAML. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
