-- Every decided tool call is an insert here, committed before the call is released, and every index
-- is one more B-tree each commit rewrites: these two cost about a third of an append. Listings that
-- filter by decision or tool walk (workspace, id) newest first instead; stats keep the time index.
DROP INDEX audit_events_workspace_decision_id;
DROP INDEX audit_events_workspace_tool_id;
