-- Approval lifecycle (replay, expiry sweep, re-proposed calls), link channels and API-created rules.
-- A new migration rather than edits to V3/V4, so databases already migrated by a development build
-- keep opening (Flyway refuses a changed checksum).

-- When, and for whom, an approved call was replayed to the agent. decided_at/decided_by stay the approver's.
ALTER TABLE approvals ADD COLUMN consumed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE approvals ADD COLUMN consumed_by VARCHAR;

-- A retried conversation is matched by agent and conversation digest, newest first.
CREATE INDEX approvals_conversation ON approvals (workspace, agent, conversation_digest, created_at);
-- A call proposed again is matched by agent, tool and argument digest in any status, newest first.
CREATE INDEX approvals_call ON approvals (workspace, agent, tool, arguments_digest, created_at);
-- The expiry sweep looks for pending approvals past their expiry in every workspace.
CREATE INDEX approvals_status_expires ON approvals (status, expires_at);

-- The channel a link was sent on. Tokens stored before this column were email links.
ALTER TABLE approval_tokens ADD COLUMN channel VARCHAR DEFAULT 'email' NOT NULL;
ALTER TABLE approval_tokens ADD CONSTRAINT approval_tokens_channel_check
    CHECK (channel IN ('email', 'slack', 'teams', 'api'));

-- Approval rules created through the API; the gateway merges them with the rules from toolgate.yaml.
-- tools is a JSON array of tool names.
CREATE TABLE approval_rules (
    id              VARCHAR PRIMARY KEY,
    workspace       VARCHAR NOT NULL,
    rule_text       VARCHAR NOT NULL,
    action          VARCHAR NOT NULL,
    approver_email  VARCHAR,
    tools           VARCHAR NOT NULL,
    when_expr       VARCHAR,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by      VARCHAR,
    CONSTRAINT approval_rules_action_check CHECK (action IN ('approve', 'block'))
);

CREATE INDEX approval_rules_workspace ON approval_rules (workspace, created_at);
