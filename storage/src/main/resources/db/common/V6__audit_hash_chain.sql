-- Tamper evidence: every audit event carries the hash of the event before it in its workspace's
-- chain and its own hash, sha256-hex(prev_hash + canonical event); see AuditChain for the canonical
-- form. Events stored before this migration are chained by V6_1 (Java: it needs SHA-256), which
-- then makes both columns NOT NULL.
ALTER TABLE audit_events ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_events ADD COLUMN hash VARCHAR;
