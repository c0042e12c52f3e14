package dev.toolgate.storage.internal;

import dev.toolgate.storage.BudgetStore;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link BudgetStore} on {@code budget_scopes} and {@code budget_spends}. A spend locks the row of
 * each total it touches ({@code SELECT ... FOR UPDATE}, in one order so two spends never wait on
 * each other), sums the window and inserts, all in one transaction: a second spend on the same total,
 * on this instance or another, waits for the first to commit and then sums what it spent.
 */
public final class JdbiBudgetStore implements BudgetStore {
    /** Lock waits and serialisation failures are retried this many times before the spend fails. */
    private static final int ATTEMPTS = 5;
    private static final Comparator<Charge> LOCK_ORDER = Comparator.comparing(Charge::workspace)
            .thenComparing(Charge::ruleId).thenComparing(Charge::scopeKey);

    private final Jdbi jdbi;

    public JdbiBudgetStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** What one attempt found: spent, over a max, or a total whose row must be created first. */
    private record Attempt(boolean spent, Overrun overrun, List<Charge> unknownTotals) {
    }

    @Override
    public Optional<Overrun> spend(List<Charge> charges, String decisionId, Instant now) {
        if (charges.isEmpty()) {
            return Optional.empty();
        }
        List<Charge> ordered = charges.stream().sorted(LOCK_ORDER).toList();
        RuntimeException lastFailure = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Attempt result;
            try {
                result = jdbi.inTransaction(handle -> spendLocked(handle, ordered, decisionId, now));
            } catch (RuntimeException e) {
                if (!retriable(e)) {
                    throw e;
                }
                lastFailure = e;
                continue;
            }
            if (result.spent()) {
                return Optional.empty();
            }
            if (result.overrun() != null) {
                return Optional.of(result.overrun());
            }
            result.unknownTotals().forEach(this::createTotal);
        }
        throw new IllegalStateException("budget spend for decision " + decisionId + " did not complete in " + ATTEMPTS
                + " attempts" + (lastFailure != null ? ": " + SqlErrors.describe(lastFailure) : ""), lastFailure);
    }

    private static Attempt spendLocked(Handle handle, List<Charge> ordered, String decisionId, Instant now) {
        List<Charge> unknown = new ArrayList<>();
        for (Charge charge : ordered) {
            boolean locked = handle.createQuery("SELECT scope_key FROM budget_scopes"
                            + " WHERE workspace = :workspace AND rule_id = :rule AND scope_key = :scope FOR UPDATE")
                    .bind("workspace", charge.workspace()).bind("rule", charge.ruleId()).bind("scope", charge.scopeKey())
                    .mapTo(String.class)
                    .findOne()
                    .isPresent();
            if (!locked) {
                unknown.add(charge);
            }
        }
        if (!unknown.isEmpty()) {
            return new Attempt(false, null, unknown);
        }
        for (Charge charge : ordered) {
            if (!charge.forced()) {
                BigDecimal used = used(handle, charge.workspace(), charge.ruleId(), charge.scopeKey(), now.minus(charge.per()));
                if (used.add(charge.amount()).compareTo(charge.max()) > 0) {
                    return new Attempt(false, new Overrun(charge, used), List.of());
                }
            }
        }
        for (Charge charge : ordered) {
            handle.createUpdate("DELETE FROM budget_spends WHERE workspace = :workspace AND rule_id = :rule"
                            + " AND scope_key = :scope AND spent_at <= :windowStart")
                    .bind("workspace", charge.workspace()).bind("rule", charge.ruleId()).bind("scope", charge.scopeKey())
                    .bind("windowStart", now.minus(charge.per()))
                    .execute();
            handle.createUpdate("INSERT INTO budget_spends (workspace, rule_id, scope_key, spent_at, amount, decision_id)"
                            + " VALUES (:workspace, :rule, :scope, :now, :amount, :decisionId)")
                    .bind("workspace", charge.workspace()).bind("rule", charge.ruleId()).bind("scope", charge.scopeKey())
                    .bind("now", now).bind("amount", charge.amount()).bind("decisionId", decisionId)
                    .execute();
        }
        return new Attempt(true, null, List.of());
    }

    private static BigDecimal used(Handle handle, String workspace, String ruleId, String scopeKey, Instant windowStart) {
        return handle.createQuery("SELECT COALESCE(SUM(amount), 0) FROM budget_spends WHERE workspace = :workspace"
                        + " AND rule_id = :rule AND scope_key = :scope AND spent_at > :windowStart")
                .bind("workspace", workspace).bind("rule", ruleId).bind("scope", scopeKey).bind("windowStart", windowStart)
                .mapTo(BigDecimal.class)
                .one();
    }

    /** The row a total's spends lock; created once, in its own transaction, by whichever spend comes first. */
    private void createTotal(Charge charge) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO budget_scopes (workspace, rule_id, scope_key)"
                            + " VALUES (:workspace, :rule, :scope)")
                    .bind("workspace", charge.workspace()).bind("rule", charge.ruleId()).bind("scope", charge.scopeKey())
                    .execute());
        } catch (RuntimeException e) {
            if (!SqlErrors.isDuplicateKey(e)) {
                throw e;
            }
            // Another spend created it first: it is there to lock.
        }
    }

    /** A lock wait that timed out (H2), a deadlock or a serialisation failure: the transaction did nothing, try again. */
    private static boolean retriable(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("40") || sql.getSQLState().equals("HYT00") || sql.getSQLState().equals("55P03"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Usage> usage(String workspace, String ruleId, Duration per, Instant now) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT scope_key, SUM(amount) AS used, COUNT(*) AS entries,"
                        + " MIN(spent_at) AS oldest_at FROM budget_spends WHERE workspace = :workspace AND rule_id = :rule"
                        + " AND spent_at > :windowStart GROUP BY scope_key ORDER BY scope_key")
                .bind("workspace", workspace).bind("rule", ruleId).bind("windowStart", now.minus(per))
                .map((rs, ctx) -> new Usage(rs.getString("scope_key"), rs.getBigDecimal("used"), rs.getLong("entries"),
                        UtcTimestamps.read(rs, "oldest_at")))
                .list());
    }
}
