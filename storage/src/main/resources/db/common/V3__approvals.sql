-- Tool calls held for a human decision. Stored before the agent is told the call is pending.
CREATE TABLE approvals (
    id                   VARCHAR PRIMARY KEY,
    workspace            VARCHAR NOT NULL,
    agent                VARCHAR NOT NULL,
    tool                 VARCHAR NOT NULL,
    tool_call_id         VARCHAR,
    arguments            VARCHAR NOT NULL,
    arguments_digest     VARCHAR NOT NULL,
    rule_id              VARCHAR,
    policy_version       VARCHAR NOT NULL,
    assistant_message    VARCHAR,
    conversation_digest  VARCHAR,
    approver_email       VARCHAR,
    status               VARCHAR NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    decided_at           TIMESTAMP WITH TIME ZONE,
    decided_by           VARCHAR,
    note                 VARCHAR
);

-- A retried call is matched by agent, tool and argument digest.
CREATE INDEX approvals_match ON approvals (workspace, agent, tool, arguments_digest, status);
CREATE INDEX approvals_workspace_status ON approvals (workspace, status, created_at);

-- Approve and deny links. Only the hash of a token is stored; a token is used once.
CREATE TABLE approval_tokens (
    token_hash   VARCHAR PRIMARY KEY,
    approval_id  VARCHAR NOT NULL,
    action       VARCHAR NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at      TIMESTAMP WITH TIME ZONE,
    CONSTRAINT approval_tokens_approval_fk FOREIGN KEY (approval_id) REFERENCES approvals (id),
    CONSTRAINT approval_tokens_action_check CHECK (action IN ('approve', 'deny'))
);

CREATE INDEX approval_tokens_approval ON approval_tokens (approval_id);
