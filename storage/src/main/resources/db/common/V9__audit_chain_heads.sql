-- The head of each workspace's audit hash chain: the hash the next event links to. Written in the
-- same transaction as the events it follows, so it moves only with them, and read by writers
-- (under the workspace's lock when several instances share the database) instead of the newest
-- row: an event deleted from the end of a chain then still breaks the link of the next event
-- recorded, as it does anywhere else in the chain.
CREATE TABLE audit_chain_heads (
    workspace  VARCHAR PRIMARY KEY,
    hash       VARCHAR NOT NULL
);

INSERT INTO audit_chain_heads (workspace, hash)
SELECT e.workspace, e.hash FROM audit_events e
WHERE e.id = (SELECT MAX(n.id) FROM audit_events n WHERE n.workspace = e.workspace);
