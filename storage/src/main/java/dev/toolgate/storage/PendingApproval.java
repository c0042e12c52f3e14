package dev.toolgate.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * A tool call held for a human decision, with everything needed to replay it exactly once approved.
 *
 * @param id UUID text, also the approval id shown to the agent
 * @param arguments the call's canonical arguments JSON
 * @param argumentsDigest hex sha256 of the canonical arguments; a retry with the same digest matches
 * @param assistantMessage the original assistant message as JSON, replayed when approved
 * @param conversationDigest digest of the request's conversation, to recognise the agent's retry
 * @param approverEmail who the rule asks to decide, or null for the default approvers
 */
public record PendingApproval(
        String id,
        String workspace,
        String agent,
        String tool,
        String toolCallId,
        String arguments,
        String argumentsDigest,
        String ruleId,
        String policyVersion,
        String assistantMessage,
        String conversationDigest,
        String approverEmail,
        ApprovalStatus status,
        Instant createdAt,
        Instant expiresAt,
        Instant decidedAt,
        String decidedBy,
        String note) {

    public PendingApproval {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(argumentsDigest, "argumentsDigest");
        Objects.requireNonNull(policyVersion, "policyVersion");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
