package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Budget;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.BudgetStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;

/**
 * {@code GET /api/budgets}: each budget rule of the caller's workspace and, per total it keeps
 * (an agent's, or the workspace's), what was spent within the window, what is left and when the
 * oldest spend leaves the window.
 */
public final class BudgetsEndpoint {
    private final PolicyEngine engine;
    private final BudgetStore store;
    private final Blocking blocking;
    private final Clock clock;

    BudgetsEndpoint(PolicyEngine engine, BudgetStore store, BlockingExecutor executor, Clock clock) {
        this.engine = engine;
        this.store = store;
        this.blocking = new Blocking(executor);
        this.clock = clock;
    }

    public void list(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> Blocking.Answer.ok(listing(workspace)));
    }

    /** Reads storage. */
    private ObjectNode listing(String workspace) {
        Instant now = clock.instant();
        ObjectNode body = Json.object();
        body.put("as_of", now.toString());
        ArrayNode budgets = body.putArray("budgets");
        for (Rule rule : engine.ruleSetFor(workspace).rules()) {
            Budget budget = rule.budget();
            if (budget == null) {
                continue;
            }
            ObjectNode entry = budgets.addObject()
                    .put("rule", rule.id())
                    .put("description", rule.description())
                    .put("sum", budget.sum())
                    .put("per", budget.window())
                    .put("per_seconds", budget.per().toSeconds())
                    .put("max", number(budget.max()))
                    .put("scope", budget.scope().wireName())
                    .put("action", rule.action().wireName());
            entry.set("tools", Json.MAPPER.valueToTree(rule.tools()));
            ArrayNode totals = entry.putArray("totals");
            for (BudgetStore.Usage usage : store.usage(workspace, rule.id(), budget.per(), now)) {
                BigDecimal remaining = budget.max().subtract(usage.used()).max(BigDecimal.ZERO);
                totals.addObject()
                        .put("scope_key", usage.scopeKey())
                        .put("used", number(usage.used()))
                        .put("remaining", number(remaining))
                        .put("calls", usage.entries())
                        .put("oldest_entry_at", usage.oldestAt().toString())
                        .put("resets_at", usage.oldestAt().plus(budget.per()).toString());
            }
        }
        return body;
    }

    /** 4500, not 4500.000000000 or 4.5E+3. */
    private static BigDecimal number(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
