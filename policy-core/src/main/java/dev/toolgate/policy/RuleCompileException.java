package dev.toolgate.policy;

/** A rule that cannot be compiled; {@code field} is the rule's field at fault ({@code when}, {@code tools}). */
public final class RuleCompileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String ruleId;
    private final String field;

    public RuleCompileException(String ruleId, String field, String message) {
        super(message);
        this.ruleId = ruleId;
        this.field = field;
    }

    public String ruleId() {
        return ruleId;
    }

    public String field() {
        return field;
    }
}
