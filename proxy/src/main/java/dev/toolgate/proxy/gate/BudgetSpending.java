package dev.toolgate.proxy.gate;

import dev.toolgate.policy.Action;
import dev.toolgate.policy.Budget;
import dev.toolgate.policy.BudgetCharge;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.Rule;
import dev.toolgate.storage.BudgetStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Budgets over time on the decision path. A call the rules release spends what it matched of each
 * budget rule's total, atomically in storage; a call that would take a total past its max is not
 * released but given that rule's action (held for approval, or blocked) and spends nothing. A call
 * that is not released (blocked, held, denied) spends nothing; one released on a person's approval
 * spends its amount whatever the total, since the approval is what the budget asked for. Blocks on
 * storage: the gate calls it on the blocking executor only, and only for calls that matched a budget.
 */
final class BudgetSpending {
    private final BudgetStore store;
    private final Clock clock;

    BudgetSpending(BudgetStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Whether any of the decided calls has something to spend now or once approved. */
    static boolean anyToSpend(List<GatedCall> decided, List<List<BudgetCharge>> charges) {
        for (int i = 0; i < decided.size(); i++) {
            if (!charges.get(i).isEmpty() && (decided.get(i).decision().releases() || decided.get(i).pending())) {
                return true;
            }
        }
        return false;
    }

    /** A released call after spending its charges: as it was, or over a budget and given that rule's action. */
    GatedCall spend(GatedCall call, List<BudgetCharge> charges, CallContext context) {
        if (charges.isEmpty() || !call.decision().releases()) {
            return call;
        }
        Optional<BudgetStore.Overrun> overrun = store.spend(storeCharges(charges, context, false), call.decisionId(), clock.instant());
        if (overrun.isEmpty()) {
            return call;
        }
        BudgetCharge over = charges.stream().filter(charge -> charge.rule().id().equals(overrun.get().charge().ruleId()))
                .findFirst().orElseThrow();
        Decision decision = overBudget(call.decision(), over, overrun.get().used(), context);
        return new GatedCall(call.call(), decision, call.decisionId(), call.approvalId(), call.approvedBy());
    }

    /** A call released on a person's approval: its charges count, even past a max. */
    void spendApproved(GatedCall call, List<BudgetCharge> charges, CallContext context) {
        if (!charges.isEmpty() && call.approvalId() != null && call.decision().releases()) {
            store.spend(storeCharges(charges, context, true), call.decisionId(), clock.instant());
        }
    }

    private static List<BudgetStore.Charge> storeCharges(List<BudgetCharge> charges, CallContext context, boolean forced) {
        List<BudgetStore.Charge> spent = new ArrayList<>(charges.size());
        for (BudgetCharge charge : charges) {
            Budget budget = charge.budget();
            spent.add(new BudgetStore.Charge(context.workspace(), charge.rule().id(), budget.scopeKey(context), charge.amount(),
                    budget.max(), budget.per(), forced));
        }
        return spent;
    }

    /** The decision on a call over {@code charge}'s budget: the budget rule's action, saying by how much. */
    private static Decision overBudget(Decision released, BudgetCharge charge, BigDecimal used, CallContext context) {
        Rule rule = charge.rule();
        Budget budget = charge.budget();
        List<String> matched = new ArrayList<>(released.matchedRules());
        matched.add(rule.id());
        String whose = budget.scope() == Budget.Scope.AGENT ? "agent '" + context.agent() + "'" : "the workspace";
        List<Finding> reasons = List.of(new Finding(rule.id(), rule.label() + ": over budget (" + plain(used) + " of "
                + plain(budget.max()) + " used in the last " + budget.window() + " by " + whose + "; this call adds "
                + plain(charge.amount()) + ")"));
        if (rule.action() == Action.APPROVE) {
            return new Decision.NeedsApproval(matched, reasons, 0.7, released.policyVersion(), rule.approverEmail(),
                    released.judgement());
        }
        return new Decision.Blocked(matched, reasons, 1.0, released.policyVersion(), released.judgement());
    }

    static String plain(BigDecimal number) {
        return number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString();
    }
}
