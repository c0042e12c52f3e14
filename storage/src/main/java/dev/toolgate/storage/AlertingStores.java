package dev.toolgate.storage;

/** The alerting tables together: delivery targets, alert rules, and the outbox their messages wait in. */
public record AlertingStores(DeliveryTargetStore targets, AlertRuleStore rules, NotificationOutbox outbox) {
}
