-- Small per-workspace settings managed through the API (notification settings and the like).
-- The value column is not called "value": that is a reserved word in H2.
CREATE TABLE settings (
    workspace      VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    setting_value  VARCHAR NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT settings_pk PRIMARY KEY (workspace, name)
);
