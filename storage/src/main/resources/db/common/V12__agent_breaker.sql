-- Each agent key's circuit-breaker state, per workspace: a row appears the first time an admin or
-- an automatic trip moves the agent out of monitoring, and stays (resumed agents read monitoring)
-- so that who changed it last and when is kept. Every instance keeps a copy in memory, refreshed
-- when the 'agents' change version moves. Same SQL on H2 and PostgreSQL.
CREATE TABLE agent_states (
    workspace        VARCHAR NOT NULL,
    agent            VARCHAR NOT NULL,
    state            VARCHAR NOT NULL,
    reason           VARCHAR,
    changed_by       VARCHAR NOT NULL,
    changed_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    -- A throttled agent's rate: throttle_calls tool calls per throttle_per_ms; 0 when not throttled.
    throttle_calls   INTEGER NOT NULL,
    throttle_per_ms  BIGINT NOT NULL,
    -- Moves with every change of the row.
    version          BIGINT NOT NULL,
    CONSTRAINT agent_states_pk PRIMARY KEY (workspace, agent),
    CONSTRAINT agent_states_state_check CHECK (state IN ('monitoring', 'warn', 'throttle', 'halt', 'killed'))
);
INSERT INTO change_versions (topic, version) VALUES ('agents', 0);
