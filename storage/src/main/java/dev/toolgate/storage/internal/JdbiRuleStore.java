package dev.toolgate.storage.internal;

import dev.toolgate.storage.ChangeFeed.Topic;
import dev.toolgate.storage.RuleStore;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StoredRule;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link RuleStore} on the {@code approval_rules} table; tool lists are stored as JSON text. */
public final class JdbiRuleStore implements RuleStore {
    private static final String COLUMNS = "id, workspace, rule_text, action, approver_email, tools, when_expr, judged, created_at, created_by";

    private final Jdbi jdbi;

    public JdbiRuleStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    @Override
    public List<StoredRule> list(String workspace) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM approval_rules WHERE workspace = :workspace ORDER BY created_at, id")
                .bind("workspace", workspace)
                .map(JdbiRuleStore::map)
                .list());
    }

    @Override
    public List<StoredRule> all() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM approval_rules ORDER BY workspace, created_at, id")
                .map(JdbiRuleStore::map)
                .list());
    }

    @Override
    public void create(StoredRule rule) {
        Objects.requireNonNull(rule, "rule");
        try {
            jdbi.useTransaction(handle -> {
                insert(handle, rule);
                ChangeVersions.bump(handle, Topic.POLICY);
            });
        } catch (RuntimeException e) {
            if (SqlErrors.isDuplicateKey(e)) {
                throw new StorageException("approval rule " + rule.id() + " already exists (expected: a new rule id)", e);
            }
            throw e;
        }
    }

    @Override
    public void replaceAll(String workspace, List<StoredRule> rules) {
        for (StoredRule rule : rules) {
            if (!rule.workspace().equals(workspace)) {
                throw new IllegalArgumentException("rule " + rule.id() + " is of workspace " + rule.workspace() + ", not " + workspace);
            }
        }
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM approval_rules WHERE workspace = :workspace").bind("workspace", workspace).execute();
            for (StoredRule rule : rules) {
                insert(handle, rule);
            }
            ChangeVersions.bump(handle, Topic.POLICY);
        });
    }

    private static void insert(Handle handle, StoredRule rule) {
                handle.createUpdate("INSERT INTO approval_rules (" + COLUMNS + ") VALUES (:id,"
                            + " :workspace, :ruleText, :action, :approverEmail, :tools, :when, :judged, :createdAt, :createdBy)")
                    .bind("id", rule.id())
                    .bind("workspace", rule.workspace())
                    .bind("ruleText", rule.ruleText())
                    .bind("action", rule.action())
                    .bind("approverEmail", rule.approverEmail())
                    .bind("tools", JsonLists.write(rule.tools()))
                    .bind("when", rule.when())
                    .bind("judged", rule.judged())
                    .bind("createdAt", rule.createdAt())
                    .bind("createdBy", rule.createdBy())
                    .execute();
    }

    @Override
    public boolean delete(String workspace, String id) {
        return jdbi.inTransaction(handle -> {
            int deleted = handle.createUpdate("DELETE FROM approval_rules WHERE workspace = :workspace AND id = :id")
                    .bind("workspace", workspace)
                    .bind("id", id)
                    .execute();
            if (deleted == 1) {
                ChangeVersions.bump(handle, Topic.POLICY);
            }
            return deleted == 1;
        });
    }

    private static StoredRule map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new StoredRule(
                rs.getString("id"),
                rs.getString("workspace"),
                rs.getString("rule_text"),
                rs.getString("action"),
                rs.getString("approver_email"),
                JsonLists.read(rs.getString("tools")),
                rs.getString("when_expr"),
                rs.getBoolean("judged"),
                UtcTimestamps.read(rs, "created_at"),
                rs.getString("created_by"));
    }
}
