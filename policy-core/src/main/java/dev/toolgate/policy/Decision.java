package dev.toolgate.policy;

import java.util.List;

/**
 * The outcome for one tool call. Every decision names the rules that matched, human-readable
 * reasons, a risk score in 0..1 and the version of the rule set that made it.
 */
public sealed interface Decision permits Decision.Allowed, Decision.Warned, Decision.Blocked, Decision.NeedsApproval {

    Action outcome();

    /** Ids of the rules whose pattern and condition matched, in rule-set order. */
    List<String> matchedRules();

    List<Finding> reasons();

    double riskScore();

    String policyVersion();

    /** The model's part in this decision, when a judged rule was asked about; else null. */
    Judgement judgement();

    /** The rule that decided the outcome (first rule with the winning action), or a pseudo id. */
    default String decidingRule() {
        return reasons().isEmpty() ? null : reasons().get(0).ruleId();
    }

    /** The same decision with another risk score (the gate's contextual score replaces the rule set's coarse one). */
    default Decision withRiskScore(double riskScore) {
        if (this instanceof Allowed a) {
            return new Allowed(a.matchedRules(), a.reasons(), riskScore, a.policyVersion(), a.judgement());
        }
        if (this instanceof Warned w) {
            return new Warned(w.matchedRules(), w.reasons(), riskScore, w.policyVersion(), w.judgement());
        }
        if (this instanceof NeedsApproval n) {
            return new NeedsApproval(n.matchedRules(), n.reasons(), riskScore, n.policyVersion(), n.approverEmail(), n.judgement());
        }
        Blocked b = (Blocked) this;
        return new Blocked(b.matchedRules(), b.reasons(), riskScore, b.policyVersion(), b.judgement());
    }

    /** True when the call may be released to the agent now. */
    default boolean releases() {
        return this instanceof Allowed || this instanceof Warned;
    }

    record Allowed(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion,
                   Judgement judgement) implements Decision {
        public Allowed {
            matchedRules = List.copyOf(matchedRules);
            reasons = List.copyOf(reasons);
        }

        /** No model took part. */
        public Allowed(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion) {
            this(matchedRules, reasons, riskScore, policyVersion, null);
        }

        @Override
        public Action outcome() {
            return Action.ALLOW;
        }
    }

    /** Released, with warnings the agent and the audit log can see. */
    record Warned(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion,
                   Judgement judgement) implements Decision {
        public Warned {
            matchedRules = List.copyOf(matchedRules);
            reasons = List.copyOf(reasons);
        }

        /** No model took part. */
        public Warned(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion) {
            this(matchedRules, reasons, riskScore, policyVersion, null);
        }

        @Override
        public Action outcome() {
            return Action.WARN;
        }
    }

    record Blocked(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion,
                   Judgement judgement) implements Decision {
        public Blocked {
            matchedRules = List.copyOf(matchedRules);
            reasons = List.copyOf(reasons);
        }

        /** No model took part. */
        public Blocked(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion) {
            this(matchedRules, reasons, riskScore, policyVersion, null);
        }

        @Override
        public Action outcome() {
            return Action.BLOCK;
        }
    }

    /** Held until a person decides. {@code approverEmail} is null when the rule names nobody. */
    record NeedsApproval(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion,
                         String approverEmail, Judgement judgement) implements Decision {
        public NeedsApproval {
            matchedRules = List.copyOf(matchedRules);
            reasons = List.copyOf(reasons);
        }

        /** No model took part. */
        public NeedsApproval(List<String> matchedRules, List<Finding> reasons, double riskScore, String policyVersion,
                             String approverEmail) {
            this(matchedRules, reasons, riskScore, policyVersion, approverEmail, null);
        }

        @Override
        public Action outcome() {
            return Action.APPROVE;
        }
    }
}
