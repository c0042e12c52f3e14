-- Budgets over time (rules with a budget): what each released call spent of a rule's total, per
-- workspace and scope ('agent:<name>' or 'workspace'). Same SQL on H2 and PostgreSQL.

-- One row per total, locked (SELECT ... FOR UPDATE) by every spend against it, so that concurrent
-- calls on any instance are counted one after the other and the total never passes its max.
CREATE TABLE budget_scopes (
    workspace  VARCHAR NOT NULL,
    rule_id    VARCHAR NOT NULL,
    scope_key  VARCHAR NOT NULL,
    CONSTRAINT budget_scopes_pk PRIMARY KEY (workspace, rule_id, scope_key)
);

-- One row per spend; a total is the sum over the rule's window (spent_at after now - per). Rows
-- older than the window are deleted by the next spend against the same total.
CREATE TABLE budget_spends (
    workspace    VARCHAR NOT NULL,
    rule_id      VARCHAR NOT NULL,
    scope_key    VARCHAR NOT NULL,
    spent_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    amount       NUMERIC(38, 9) NOT NULL,
    -- The audit event of the decision that spent it.
    decision_id  VARCHAR NOT NULL
);
CREATE INDEX budget_spends_window ON budget_spends (workspace, rule_id, scope_key, spent_at);
