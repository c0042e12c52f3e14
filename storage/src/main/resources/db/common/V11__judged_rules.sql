-- Rules created through the API may be judged by a model: rule_text is then the rule itself, and
-- tools / when_expr (optional) only narrow which calls are judged. Same SQL on H2 and PostgreSQL.
ALTER TABLE approval_rules ADD COLUMN judged BOOLEAN DEFAULT FALSE NOT NULL;
