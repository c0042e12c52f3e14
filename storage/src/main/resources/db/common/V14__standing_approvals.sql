-- Standing approvals: an approver's "this call and the same tool for this agent for N minutes / N
-- calls, within these argument bounds". Read on the decision path of every call that would be held,
-- so every instance sees a grant, a use and a revocation at once. Same SQL on H2 and PostgreSQL.
CREATE TABLE standing_approvals (
    id              VARCHAR PRIMARY KEY,
    workspace       VARCHAR NOT NULL,
    agent           VARCHAR NOT NULL,
    tool            VARCHAR NOT NULL,
    -- The approval it was granted with, and that call's canonical arguments: arguments the bounds
    -- do not name must keep these values.
    approval_id     VARCHAR,
    base_arguments  VARCHAR NOT NULL,
    -- JSON object: argument name -> {min, max, equals, one_of}; {} means the same arguments only.
    bounds          VARCHAR NOT NULL,
    created_by      VARCHAR NOT NULL,
    note            VARCHAR,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    -- NULL: no limit on the number of calls before expires_at.
    max_calls       INTEGER,
    used_calls      INTEGER NOT NULL,
    revoked_at      TIMESTAMP WITH TIME ZONE,
    revoked_by      VARCHAR,
    -- When its end (revoked, expired or used up) was recorded in the audit log, once.
    ended_at        TIMESTAMP WITH TIME ZONE,
    CONSTRAINT standing_approvals_calls_check CHECK (used_calls >= 0 AND (max_calls IS NULL OR max_calls > 0))
);
CREATE INDEX standing_approvals_match ON standing_approvals (workspace, agent, tool, ended_at);
CREATE INDEX standing_approvals_workspace ON standing_approvals (workspace, created_at);
