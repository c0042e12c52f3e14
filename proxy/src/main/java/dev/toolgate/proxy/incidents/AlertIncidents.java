package dev.toolgate.proxy.incidents;

import dev.toolgate.proxy.alerts.Alert;
import dev.toolgate.proxy.alerts.AlertObserver;
import dev.toolgate.storage.IncidentSeverity;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fired alerts as incident signals: a firing opens or joins the workspace's gateway-wide incident
 * (agent {@value #GATEWAY}, since an alert concerns what the gateway sees, not one agent's call),
 * and its recovery joins that incident without opening one.
 */
public final class AlertIncidents implements AlertObserver {
    private static final Logger log = LoggerFactory.getLogger(AlertIncidents.class);
    /** The agent an alert's incident is filed under. */
    public static final String GATEWAY = "-";

    private final Incidents incidents;

    public AlertIncidents(Incidents incidents) {
        this.incidents = incidents;
    }

    @Override
    public void fired(Alert alert) {
        record(alert, severity(alert.severity()), "alert '" + alert.ruleName() + "' fired: " + alert.description(), true);
    }

    @Override
    public void recovered(Alert alert) {
        record(alert, IncidentSeverity.LOW, "alert '" + alert.ruleName() + "' recovered", false);
    }

    private void record(Alert alert, IncidentSeverity severity, String summary, boolean opens) {
        incidents.record(new IncidentSignal(alert.workspace(), GATEWAY, alert.at(), "alert", severity, summary, null, opens))
                .exceptionally(failure -> {
                    log.warn("could not file alert '{}' as an incident: {}", alert.ruleName(), failure.toString());
                    return Optional.empty();
                });
    }

    private static IncidentSeverity severity(String value) {
        try {
            return IncidentSeverity.fromValue(value);
        } catch (IllegalArgumentException unknown) {
            return IncidentSeverity.MEDIUM;
        }
    }
}
