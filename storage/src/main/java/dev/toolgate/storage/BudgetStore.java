package dev.toolgate.storage;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Totals spent against budget rules over a sliding window, shared by every instance on the
 * database. A spend is atomic: the totals it touches are locked, summed and added to in one
 * transaction, so concurrent calls never take a total past its max between them.
 */
public interface BudgetStore {

    /**
     * One call's spend against one total.
     *
     * @param scopeKey whose total within the workspace: {@code agent:<name>} or {@code workspace}
     * @param max the largest total the window may hold
     * @param per the window
     * @param forced spent whatever the total (a call a person approved); else only when it fits under max
     */
    record Charge(String workspace, String ruleId, String scopeKey, BigDecimal amount, BigDecimal max, Duration per,
                  boolean forced) {
        public Charge {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(ruleId, "ruleId");
            Objects.requireNonNull(scopeKey, "scopeKey");
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(max, "max");
            Objects.requireNonNull(per, "per");
        }
    }

    /** A charge that did not fit: the total already spent within its window. */
    record Overrun(Charge charge, BigDecimal used) {
    }

    /** One total as it stands: spent within the window, by how many calls, and the oldest of them. */
    record Usage(String scopeKey, BigDecimal used, long entries, Instant oldestAt) {
    }

    /**
     * Spends every charge of one call, or none: empty when all were spent (forced ones always are),
     * else the first that would take its total past max, and nothing is spent.
     *
     * @param decisionId the audit event of the decision that spends
     */
    Optional<Overrun> spend(List<Charge> charges, String decisionId, Instant now);

    /** Each total of a rule in a workspace with something spent within {@code per} before {@code now}, by scope key. */
    List<Usage> usage(String workspace, String ruleId, Duration per, Instant now);
}
