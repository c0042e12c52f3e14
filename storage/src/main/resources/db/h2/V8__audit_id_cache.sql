-- The id of every audit event comes from this column's sequence, which by default reserves 32 values
-- at a time and records each reservation in the schema: with the embedded database's WRITE_DELAY=0
-- that is one more write of the database file every 32 events, half the file's growth under load.
-- Reserving 1,000 at a time makes it rare; a crash leaves a gap of at most 1,000 ids, which
-- nothing relies on (the hash chain follows id order, not id values). PostgreSQL has the same syntax.
ALTER TABLE audit_events ALTER COLUMN id SET CACHE 1000;
