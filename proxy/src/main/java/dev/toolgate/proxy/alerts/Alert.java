package dev.toolgate.proxy.alerts;

import java.time.Instant;

/**
 * One firing (or recovery) of an alert rule: which rule, what it measured and when. What
 * {@link AlertObserver}s receive and what the deliveries say.
 */
public record Alert(String ruleId, String workspace, String ruleName, String severity, String metric, double value,
                    String description, Instant at) {
}
