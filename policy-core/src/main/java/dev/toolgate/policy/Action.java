package dev.toolgate.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a rule, or the policy default, does with a tool call. Declared in precedence order: later wins. */
public enum Action {
    ALLOW,
    WARN,
    APPROVE,
    BLOCK;

    /** Deny overrides: block > approve > warn > allow. */
    public boolean outranks(Action other) {
        return ordinal() > other.ordinal();
    }

    public static Action strongest(Action a, Action b) {
        return b.outranks(a) ? b : a;
    }

    /** The lower-case name used in YAML and JSON. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a YAML/JSON value; the message lists what is accepted. */
    public static Action parse(String value) {
        for (Action action : values()) {
            if (action.wireName().equals(value)) {
                return action;
            }
        }
        throw new IllegalArgumentException("'" + value + "' (expected one of: " + accepted() + ")");
    }

    public static String accepted() {
        return Arrays.stream(values()).map(Action::wireName).collect(Collectors.joining(", "));
    }
}
