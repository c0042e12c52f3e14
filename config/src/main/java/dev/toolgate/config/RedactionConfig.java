package dev.toolgate.config;

import java.util.List;

/**
 * The {@code redaction} section: what is masked in tool-call arguments before they are stored,
 * exported, logged or sent to approvers, on top of the built-in detectors (API keys, tokens,
 * private keys, card numbers).
 *
 * @param patterns the operator's own detectors, in file order; each regex is known to compile
 * @param redactEmails whether email addresses are masked too
 */
public record RedactionConfig(List<Detector> patterns, boolean redactEmails) {

    /** The section as it is when {@code toolgate.yaml} leaves it out: built-in detectors only, emails kept. */
    public static final RedactionConfig DEFAULTS = new RedactionConfig(List.of(), false);

    public RedactionConfig {
        patterns = List.copyOf(patterns);
    }

    /** One configured detector: text matching {@code regex} becomes {@code [REDACTED:<name>]}. */
    public record Detector(String name, String regex) {
    }
}
