-- Delivery targets (where alerts go), alert rules (when they go) and the notification outbox: a
-- message to a target is stored before it is sent, so a restart resumes its delivery. Same SQL on
-- H2 and PostgreSQL.
CREATE TABLE delivery_targets (
    id                VARCHAR PRIMARY KEY,
    workspace         VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    -- email, slack, teams or webhook
    target_type       VARCHAR NOT NULL,
    -- JSON object: {url} | {webhook_url} | {to}; may hold a credential, never shown whole
    target_config     VARCHAR NOT NULL,
    -- HMAC-SHA256 key of a generic webhook's signature; NULL for the other types
    signing_secret    VARCHAR,
    default_severity  VARCHAR NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT delivery_targets_name UNIQUE (workspace, name)
);

CREATE TABLE alert_rules (
    id                VARCHAR PRIMARY KEY,
    workspace         VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    -- JSON object: {metric, threshold, threshold_ms, minutes, window_seconds, ...}
    rule_condition    VARCHAR NOT NULL,
    -- JSON array of delivery target ids or names
    delivery_targets  VARCHAR NOT NULL,
    severity          VARCHAR NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX alert_rules_workspace ON alert_rules (workspace, created_at);

CREATE TABLE notification_outbox (
    id                VARCHAR PRIMARY KEY,
    -- where to send: the target's type, its config and signing secret, copied so a deleted target's
    -- messages still go out (or fail) as they were queued
    target_name       VARCHAR NOT NULL,
    target_type       VARCHAR NOT NULL,
    target_config     VARCHAR NOT NULL,
    signing_secret    VARCHAR,
    -- JSON object: the message
    payload           VARCHAR NOT NULL,
    attempts          INTEGER NOT NULL,
    next_attempt_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    -- set once: delivered, or given up with last_error
    finished_at       TIMESTAMP WITH TIME ZONE,
    last_error        VARCHAR
);
CREATE INDEX notification_outbox_due ON notification_outbox (finished_at, next_attempt_at);
