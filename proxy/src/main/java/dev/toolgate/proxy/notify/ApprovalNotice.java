package dev.toolgate.proxy.notify;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What approvers are told about a held tool call. {@code redactedArguments} must already be
 * redacted: it is sent to people as it is. Each channel gets its own links, keyed by
 * {@link Channel#key()}, so the audit log can tell which channel decided.
 */
public record ApprovalNotice(String approvalId, String workspace, String agent, String tool, String redactedArguments,
                             String ruleId, String ruleText, Instant createdAt, Instant expiresAt, String recipientEmail,
                             Map<String, ApprovalLinks> linksByChannel) {

    public ApprovalNotice {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(expiresAt, "expiresAt");
        linksByChannel = linksByChannel == null ? Map.of() : Map.copyOf(linksByChannel);
        for (String key : linksByChannel.keySet()) {
            if (Channel.byKey(key) == null) {
                throw new IllegalArgumentException("linksByChannel: '" + key + "' (expected: email, slack or teams)");
            }
        }
    }

    /** The links for {@code channel}, or null when the caller issued none for it. */
    public ApprovalLinks linksFor(Channel channel) {
        return linksByChannel.get(channel.key());
    }
}
