-- PostgreSQL only (H2 has its own V8): audit event ids keep the sequence's default cache of 1.
-- Several gateway instances insert a workspace's events one transaction at a time, under that
-- workspace's lock, and the hash chain follows id order; a cache of more than 1 hands each session
-- its own block of ids, so a later event could get a lower id than an earlier one.
SELECT 1;
