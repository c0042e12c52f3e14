-- What several gateway instances on one database need to share (issue: several instances).

-- A version per kind of state each instance keeps a copy of in memory: the policy (kill switch and
-- API rules) and the approvals (for the index of conversations a retry may come from). A change
-- moves its version in the same transaction; instances poll the versions and, on PostgreSQL, are
-- woken at once by a NOTIFY on channel toolgate_changes.
CREATE TABLE change_versions (
    topic    VARCHAR PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO change_versions (topic, version) VALUES ('policy', 0);
INSERT INTO change_versions (topic, version) VALUES ('approvals', 0);

-- Idempotency keys of /api/intercept, per caller: claimed by the first request (state 'pending'),
-- then holding its answer (state 'done') until expires_at.
CREATE TABLE idempotency_keys (
    workspace       VARCHAR NOT NULL,
    agent           VARCHAR NOT NULL,
    idem_key        VARCHAR NOT NULL,
    request_digest  VARCHAR NOT NULL,
    state           VARCHAR NOT NULL,
    answer_status   INTEGER,
    answer_body     VARCHAR,
    claimed_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT idempotency_keys_pk PRIMARY KEY (workspace, agent, idem_key),
    CONSTRAINT idempotency_keys_state_check CHECK (state IN ('pending', 'done'))
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- Other instances read the approvals created since they last looked.
CREATE INDEX approvals_created ON approvals (created_at);
