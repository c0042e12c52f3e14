package dev.toolgate.storage;

import java.util.Locale;

/** How serious an incident is, from least to most; an incident takes the highest of its signals. */
public enum IncidentSeverity {
    LOW, MEDIUM, HIGH, CRITICAL;

    /** The lower-case form stored and shown in the API. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public IncidentSeverity max(IncidentSeverity other) {
        return compareTo(other) >= 0 ? this : other;
    }

    public static IncidentSeverity fromValue(String value) {
        for (IncidentSeverity severity : values()) {
            if (severity.value().equals(value)) {
                return severity;
            }
        }
        throw new IllegalArgumentException("severity: " + value + " (expected: low, medium, high or critical)");
    }
}
