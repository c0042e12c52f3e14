package dev.toolgate.config;

import java.time.Duration;

/** The {@code approvals} section: how long a held call waits, and how approval links behave. */
public record ApprovalsConfig(Duration expireAfter, LinkMode linkMode) {

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final ApprovalsConfig DEFAULTS = new ApprovalsConfig(Duration.ofHours(24), LinkMode.CONFIRM);
}
