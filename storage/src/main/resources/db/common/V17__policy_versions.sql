-- Policies as code: every manifest imported through /api/policies, kept whole. A version is a draft
-- until applied; the workspace's newest applied version is the one in force (its rules were written
-- to approval_rules when it was applied). Same SQL on H2 and PostgreSQL.
CREATE TABLE policy_versions (
    id              VARCHAR PRIMARY KEY,
    workspace       VARCHAR NOT NULL,
    -- 1, 2, 3... per workspace, in the order versions were stored.
    number          INTEGER NOT NULL,
    -- The manifest as YAML, in the shape of toolgate.yaml's policy and rules sections.
    manifest        VARCHAR NOT NULL,
    -- RuleSet.version() of the rules in force once applied (the file's rules with the manifest's).
    rules_version   VARCHAR NOT NULL,
    -- The version it was restored from, if any.
    restored_from   VARCHAR,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by      VARCHAR,
    -- NULL while a draft.
    applied_at      TIMESTAMP WITH TIME ZONE,
    applied_by      VARCHAR,
    CONSTRAINT policy_versions_number UNIQUE (workspace, number)
);
