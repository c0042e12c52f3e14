-- The kill switch: tools blocked before any rule is evaluated, per workspace.
CREATE TABLE blocked_tools (
    workspace   VARCHAR NOT NULL,
    tool        VARCHAR NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by  VARCHAR,
    CONSTRAINT blocked_tools_pk PRIMARY KEY (workspace, tool)
);
